namespace Sasync.Core.Wire.Extended;

/// <summary>
/// Limits of the extended channel for one node: when a direction moves to its next key, and the longest plaintext
/// a frame may carry (checked before anything is allocated).
/// </summary>
public sealed record ExtendedChannelOptions
{
    /// <summary>Frames under one key before the sender moves to the next generation: 2^20.</summary>
    public const long DefaultRekeyAfterFrames = 1L << 20;

    /// <summary>Plaintext bytes under one key before the sender moves to the next generation: 1 GiB.</summary>
    public const long DefaultRekeyAfterBytes = 1L << 30;

    /// <summary>The defaults: rekey after 2^20 frames or 1 GiB, plaintexts up to the original's 4096 bytes, the best AES-GCM available.</summary>
    public static ExtendedChannelOptions Default { get; } = new();

    /// <summary>Frames under one key before the sender rekeys; at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public long RekeyAfterFrames
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = DefaultRekeyAfterFrames;

    /// <summary>Plaintext bytes under one key before the sender rekeys; at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public long RekeyAfterBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = DefaultRekeyAfterBytes;

    /// <summary>
    /// The longest plaintext of one frame, sent or accepted: by default the legacy limit
    /// (<see cref="FrameLimits.Original"/>'s 4096 bytes), at most <see cref="FrameLimits.AbsoluteMaxCiphertextLength"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 or above the absolute maximum.</exception>
    public int MaxPlaintextLength
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, FrameLimits.AbsoluteMaxCiphertextLength);
            field = value;
        }
    } = FrameLimits.Original.MaxCiphertextLength;

    /// <summary>Which AES-GCM implementation the encoder and decoder use; both produce the same bytes.</summary>
    public ExtendedAeadProvider Aead { get; init; } = ExtendedAeadProvider.Automatic;

    /// <summary>The longest whole frame under these options: what a decoder may buffer for one frame.</summary>
    public int MaxFrameLength => ExtendedFrameLayout.FrameLengthFor(MaxPlaintextLength);
}
