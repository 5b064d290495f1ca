using System.Buffers.Binary;

namespace Sasync.Core.Wire.Extended;

/// <summary>The 20-byte header of an extended frame (see <see cref="ExtendedFrameLayout"/>); it is the AEAD's associated data.</summary>
/// <param name="Type">Control (0) or PF_KEY (1), as in a legacy frame.</param>
/// <param name="PlaintextLength">Bytes of plaintext, which are also the ciphertext's.</param>
/// <param name="Generation">The key generation the frame is sealed under.</param>
/// <param name="Sequence">The frame's sequence number in its direction.</param>
public readonly record struct ExtendedFrameHeader(WireMessageType Type, int PlaintextLength, uint Generation, ulong Sequence)
{
    /// <summary>The whole frame: header, ciphertext and tag.</summary>
    public int FrameLength => ExtendedFrameLayout.FrameLengthFor(PlaintextLength);

    /// <summary>
    /// Reads and checks the fields that need no session state: the type (0 or 1) once 4 bytes are there, the length
    /// (1 to <paramref name="maxPlaintextLength"/>) once 8 are, so a bad field is refused as soon as its bytes arrive.
    /// <see cref="FrameError.Truncated"/> when the fields seen so far are good but the header is not complete.
    /// </summary>
    public static FrameError Parse(ReadOnlySpan<byte> prefix, int maxPlaintextLength, out ExtendedFrameHeader header)
    {
        header = default;
        // Each field ends where the next begins: the type is whole at LengthOffset, the length at GenerationOffset.
        if (prefix.Length >= ExtendedFrameLayout.LengthOffset
            && BinaryPrimitives.ReadUInt32BigEndian(prefix) > (uint)WireMessageType.PfKey)
        {
            return FrameError.BadType;
        }

        if (prefix.Length >= ExtendedFrameLayout.GenerationOffset)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(prefix[ExtendedFrameLayout.LengthOffset..]);
            if (length == 0 || length > (uint)maxPlaintextLength)
            {
                return FrameError.BadLength;
            }
        }

        if (prefix.Length < ExtendedFrameLayout.HeaderSize)
        {
            return FrameError.Truncated;
        }

        header = new ExtendedFrameHeader(
            (WireMessageType)BinaryPrimitives.ReadUInt32BigEndian(prefix),
            (int)BinaryPrimitives.ReadUInt32BigEndian(prefix[ExtendedFrameLayout.LengthOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(prefix[ExtendedFrameLayout.GenerationOffset..]),
            BinaryPrimitives.ReadUInt64BigEndian(prefix[ExtendedFrameLayout.SequenceOffset..]));
        return FrameError.None;
    }

    /// <summary>Writes the 20 header bytes to the start of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="destination"/> is shorter than the header.</exception>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination[ExtendedFrameLayout.TypeOffset..], (uint)Type);
        BinaryPrimitives.WriteUInt32BigEndian(destination[ExtendedFrameLayout.LengthOffset..], (uint)PlaintextLength);
        BinaryPrimitives.WriteUInt32BigEndian(destination[ExtendedFrameLayout.GenerationOffset..], Generation);
        BinaryPrimitives.WriteUInt64BigEndian(destination[ExtendedFrameLayout.SequenceOffset..], Sequence);
    }
}
