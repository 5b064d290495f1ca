using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_alg</c> (8 bytes), one algorithm of a SUPPORTED_* extension.</summary>
public readonly record struct SadbAlgorithm(byte Id, byte IvLength, ushort MinBits, ushort MaxBits)
{
    /// <summary>Bytes of one <c>sadb_alg</c>.</summary>
    public const int Size = 8;

    /// <summary>Reads one entry from the start of <paramref name="source"/> (at least <see cref="Size"/> bytes, little-endian).</summary>
    public static SadbAlgorithm Read(ReadOnlySpan<byte> source) => new(
        source[0],
        source[1],
        BinaryPrimitives.ReadUInt16LittleEndian(source[2..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[4..]));

    /// <summary>Writes the entry to the start of <paramref name="destination"/> (at least <see cref="Size"/> bytes).</summary>
    public void Write(Span<byte> destination)
    {
        destination[..Size].Clear();
        destination[0] = Id;
        destination[1] = IvLength;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], MinBits);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], MaxBits);
    }
}
