using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_comb</c> (72 bytes), one algorithm combination of a PROPOSAL.</summary>
public readonly record struct SadbCombination(
    SadbAuthAlgorithm Auth,
    SadbEncryptionAlgorithm Encrypt,
    ushort Flags,
    ushort AuthMinBits,
    ushort AuthMaxBits,
    ushort EncryptMinBits,
    ushort EncryptMaxBits,
    uint SoftAllocations,
    uint HardAllocations,
    ulong SoftBytes,
    ulong HardBytes,
    ulong SoftAddTime,
    ulong HardAddTime,
    ulong SoftUseTime,
    ulong HardUseTime)
{
    /// <summary>Bytes of one <c>sadb_comb</c>.</summary>
    public const int Size = 72;

    /// <summary>Reads one entry from the start of <paramref name="source"/> (at least <see cref="Size"/> bytes, little-endian).</summary>
    public static SadbCombination Read(ReadOnlySpan<byte> source) => new(
        (SadbAuthAlgorithm)source[0],
        (SadbEncryptionAlgorithm)source[1],
        BinaryPrimitives.ReadUInt16LittleEndian(source[2..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[8..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[10..]),
        BinaryPrimitives.ReadUInt32LittleEndian(source[16..]),
        BinaryPrimitives.ReadUInt32LittleEndian(source[20..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[24..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[32..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[40..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[48..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[56..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[64..]));

    /// <summary>Writes the entry, reserved fields zeroed, to the start of <paramref name="destination"/> (at least <see cref="Size"/> bytes).</summary>
    public void Write(Span<byte> destination)
    {
        destination[..Size].Clear();
        destination[0] = (byte)Auth;
        destination[1] = (byte)Encrypt;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], Flags);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], AuthMinBits);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], AuthMaxBits);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], EncryptMinBits);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], EncryptMaxBits);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], SoftAllocations);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], HardAllocations);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], SoftBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[32..], HardBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[40..], SoftAddTime);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[48..], HardAddTime);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[56..], SoftUseTime);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[64..], HardUseTime);
    }
}
