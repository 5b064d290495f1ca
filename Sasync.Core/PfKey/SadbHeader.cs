using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary>
/// <c>struct sadb_msg</c>, the 16-byte header of every PF_KEY v2 message. Integers are in the
/// kernel's byte order, little-endian on OpenBSD amd64. <see cref="Length"/> counts 8-byte units.
/// </summary>
public readonly record struct SadbHeader(
    byte Version,
    SadbMessageType Type,
    byte Errno,
    SadbSaType SaType,
    ushort Length,
    ushort Reserved,
    uint Sequence,
    uint Pid)
{
    /// <summary>Bytes of <c>struct sadb_msg</c>.</summary>
    public const int Size = 16;

    /// <summary>PF_KEY_V2.</summary>
    public const byte Version2 = 2;

    /// <summary>The whole message's length in bytes.</summary>
    public int ByteLength => Length * 8;

    /// <summary>Reads the header at the start of <paramref name="source"/> (at least 16 bytes); nothing is checked.</summary>
    public static SadbHeader Read(ReadOnlySpan<byte> source) => new(
        source[0],
        (SadbMessageType)source[1],
        source[2],
        (SadbSaType)source[3],
        BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
        BinaryPrimitives.ReadUInt32LittleEndian(source[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(source[12..]));

    /// <summary>Writes the 16 header bytes to the start of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        destination[0] = Version;
        destination[1] = (byte)Type;
        destination[2] = Errno;
        destination[3] = (byte)SaType;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], Reserved);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Pid);
    }
}
