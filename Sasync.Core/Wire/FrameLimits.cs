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

    public int MinCiphertextLength { get; }

    public int MaxCiphertextLength { get; }

    public uint MaxMessageType { get; }

    public int MaxFrameLength => FrameLayout.CiphertextOffset + MaxCiphertextLength;
}
