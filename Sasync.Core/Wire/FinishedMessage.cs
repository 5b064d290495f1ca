using System.Buffers.Binary;

namespace Sasync.Core.Wire;

/// <summary>
/// The control message two sasyncd-cs (protocol version 2 on) exchange, in a legacy frame, once both HELLOs of
/// a connection are known: the sender's Finished MAC over the handshake transcript (both HELLOs as sent).
/// A receiver whose own transcript differs (a HELLO altered on the way, such as an offer bit stripped) finds
/// the MAC wrong and closes the connection.
/// </summary>
/// <remarks>
/// Layout, big-endian: <c>u32 type (0x53430002) | u32 version | 8 zero bytes | 32 bytes MAC</c>, 48 bytes.
/// The MAC starts at offset 16, past the first AES block: flipping bits of a legacy frame's IV rewrites
/// only that first block, so it cannot reach the MAC. An original never sees one (it sends no HELLO).
/// </remarks>
public static class FinishedMessage
{
    /// <summary>The control message type of a FINISHED ("SC" and 2).</summary>
    public const uint Type = 0x53430002;

    /// <summary>Bytes of the MAC.</summary>
    public const int MacSize = 32;

    /// <summary>Where the MAC starts: after the first 16-byte block.</summary>
    public const int MacOffset = 16;

    /// <summary>Bytes of a FINISHED.</summary>
    public const int Size = MacOffset + MacSize;

    /// <summary>True when a control plaintext claims to be a FINISHED (by its type), whether or not it is whole.</summary>
    public static bool IsFinished(ReadOnlySpan<byte> plaintext) =>
        plaintext.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(plaintext) == Type;

    /// <summary>The plaintext of a FINISHED carrying <paramref name="mac"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="mac"/> is not <see cref="MacSize"/> bytes.</exception>
    public static byte[] ToBytes(ReadOnlySpan<byte> mac)
    {
        if (mac.Length != MacSize)
        {
            throw new ArgumentException($"a Finished MAC is {MacSize} bytes, not {mac.Length}", nameof(mac));
        }

        var bytes = new byte[Size];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Type);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), HelloMessage.CurrentVersion);
        mac.CopyTo(bytes.AsSpan(MacOffset));
        return bytes;
    }

    /// <summary>Reads a FINISHED; false when the type differs or the plaintext is not exactly <see cref="Size"/> bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> plaintext, out ReadOnlySpan<byte> mac)
    {
        mac = default;
        if (plaintext.Length != Size || !IsFinished(plaintext))
        {
            return false;
        }

        mac = plaintext.Slice(MacOffset, MacSize);
        return true;
    }
}
