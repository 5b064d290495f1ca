namespace Sasync.Core.Wire;

/// <summary>
/// What a receiver accepts. <see cref="Original"/> is what OpenBSD sasyncd accepts: message type 0 or 1 and
/// a ciphertext of 12 to 4096 bytes (so, being whole blocks, 16 to 4096). A reader never buffers more than
/// <see cref="MaxFrameLength"/> bytes for one frame.
/// </summary>
public sealed record FrameLimits
{
    /// <summary>A hard cap so that a mistaken limit cannot make a reader allocate without bound.</summary>
    public const int AbsoluteMaxCiphertextLength = 1 << 20;

    /// <summary>Limits other than the original's, for tests and experiments; lengths are ciphertext bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A length is negative, the maximum is below the minimum, or above <see cref="AbsoluteMaxCiphertextLength"/>.</exception>
    public FrameLimits(int minCiphertextLength, int maxCiphertextLength, uint maxMessageType)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minCiphertextLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCiphertextLength, minCiphertextLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxCiphertextLength, AbsoluteMaxCiphertextLength);
        MinCiphertextLength = minCiphertextLength;
        MaxCiphertextLength = maxCiphertextLength;
        MaxMessageType = maxMessageType;
    }

    /// <summary>MSG_MINLEN 12, MSG_MAXLEN 4096, MSG_MAXTYPE 1 of the original.</summary>
    public static FrameLimits Original { get; } = new(12, 4096, (uint)WireMessageType.PfKey);

    /// <summary>The shortest ciphertext accepted, in bytes.</summary>
    public int MinCiphertextLength { get; }

    /// <summary>The longest ciphertext accepted, in bytes.</summary>
    public int MaxCiphertextLength { get; }

    /// <summary>The highest message type accepted (types above PF_KEY are refused whatever this says).</summary>
    public uint MaxMessageType { get; }

    /// <summary>The longest whole frame accepted, length field included: what a reader may buffer for one frame.</summary>
    public int MaxFrameLength => FrameLayout.CiphertextOffset + MaxCiphertextLength;
}
