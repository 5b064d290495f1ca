using System.Buffers.Binary;

namespace Sasync.Core.Wire;

/// <summary>
/// The first control message sasyncd-cs writes on every new connection: a type far from the original's
/// 0..5, which an original sasyncd logs and ignores, then the protocol version, capability bits and the
/// sending process's instance id. Its plaintext is longer than the original's 12-byte control message
/// (the original accepts longer ones and reads only the first 12 bytes).
/// </summary>
/// <remarks>
/// Layout, big-endian: <c>u32 type (0x53430001) | u32 version | u32 capabilities | 16 bytes instance id</c>,
/// 28 bytes. A reader accepts trailing bytes after them, so that a later version can extend it.
/// </remarks>
/// <param name="Version">The sasyncd-cs peer protocol version of the sender.</param>
/// <param name="Capabilities">Feature bits; none are defined yet.</param>
/// <param name="InstanceId">Random, fixed for the life of the sending daemon process: a new one means the peer restarted.</param>
public readonly record struct HelloMessage(uint Version, uint Capabilities, UInt128 InstanceId)
{
    /// <summary>The control message type of a HELLO ("SC" and 1).</summary>
    public const uint Type = 0x53430001;

    /// <summary>The protocol version this build speaks.</summary>
    public const uint CurrentVersion = 1;

    /// <summary>Bytes of a HELLO as this version writes it.</summary>
    public const int Size = 28;

    /// <summary>Writes the <see cref="Size"/> bytes of this HELLO at the start of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="destination"/> is shorter than <see cref="Size"/>.</exception>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Type);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Capabilities);
        BinaryPrimitives.WriteUInt128BigEndian(destination[12..], InstanceId);
    }

    /// <summary>This HELLO as a new array of <see cref="Size"/> bytes, the plaintext of its control message.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>True when a control plaintext claims to be a HELLO (by its type), whether or not it is whole.</summary>
    public static bool IsHello(ReadOnlySpan<byte> plaintext) =>
        plaintext.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(plaintext) == Type;

    /// <summary>Reads a HELLO; false when the type differs or the plaintext is shorter than <see cref="Size"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> plaintext, out HelloMessage hello)
    {
        if (plaintext.Length < Size || !IsHello(plaintext))
        {
            hello = default;
            return false;
        }

        hello = new HelloMessage(
            BinaryPrimitives.ReadUInt32BigEndian(plaintext[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(plaintext[8..]),
            BinaryPrimitives.ReadUInt128BigEndian(plaintext[12..]));
        return true;
    }
}
