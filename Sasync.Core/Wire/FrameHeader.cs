using System.Buffers.Binary;

namespace Sasync.Core.Wire;

/// <summary>The validated fixed fields of a frame: its type, pad length and ciphertext length.</summary>
public readonly record struct FrameHeader(WireMessageType Type, int PadLength, int CiphertextLength)
{
    /// <summary>The plaintext's length: the ciphertext without its pad bytes.</summary>
    public int PlaintextLength => CiphertextLength - PadLength;

    /// <summary>The whole frame, length field included.</summary>
    public int FrameLength => FrameLayout.CiphertextOffset + CiphertextLength;

    /// <summary>
    /// Validates as much of the fixed fields as <paramref name="prefix"/> holds, in wire order, so a bad length
    /// is reported after 4 bytes. Returns <see cref="FrameError.None"/> with the header once 12 valid bytes are
    /// there, <see cref="FrameError.Truncated"/> when the bytes so far are valid but not enough, else the error.
    /// </summary>
    public static FrameError Parse(ReadOnlySpan<byte> prefix, FrameLimits limits, out FrameHeader header)
    {
        ArgumentNullException.ThrowIfNull(limits);
        header = default;
        if (prefix.Length < FrameLayout.TypeOffset)
        {
            return FrameError.Truncated;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix);
        if (length < FrameLayout.LengthFieldOverhead
            || length - FrameLayout.LengthFieldOverhead < (uint)limits.MinCiphertextLength
            || length - FrameLayout.LengthFieldOverhead > (uint)limits.MaxCiphertextLength)
        {
            return FrameError.BadLength;
        }

        var ciphertextLength = (int)(length - FrameLayout.LengthFieldOverhead);
        if (ciphertextLength % FrameLayout.BlockSize != 0)
        {
            return FrameError.BadCiphertextLength;
        }

        if (prefix.Length < FrameLayout.PadLengthOffset)
        {
            return FrameError.Truncated;
        }

        var type = BinaryPrimitives.ReadUInt32BigEndian(prefix[FrameLayout.TypeOffset..]);
        if (type > limits.MaxMessageType || type > (uint)WireMessageType.PfKey)
        {
            return FrameError.BadType;
        }

        if (prefix.Length < FrameLayout.FixedFieldsSize)
        {
            return FrameError.Truncated;
        }

        // The original never checks this field; trusting it there wraps the length and crashes the daemon.
        var padLength = BinaryPrimitives.ReadUInt32BigEndian(prefix[FrameLayout.PadLengthOffset..]);
        if (padLength > FrameLayout.MaxPadLength || padLength > (uint)ciphertextLength)
        {
            return FrameError.BadPadLength;
        }

        header = new FrameHeader((WireMessageType)type, (int)padLength, ciphertextLength);
        return FrameError.None;
    }
}
