using System.Buffers.Binary;

namespace Sasync.Core.Wire;

/// <summary>
/// The 32 random bytes a version-2 <see cref="HelloMessage"/> carries, fresh for every connection: both ends'
/// nonces go into the extended channel's keys, so no two sessions share them.
/// </summary>
/// <param name="High">Bytes 0..15, big-endian.</param>
/// <param name="Low">Bytes 16..31, big-endian.</param>
public readonly record struct HelloNonce(UInt128 High, UInt128 Low)
{
    /// <summary>Bytes of a nonce on the wire.</summary>
    public const int Size = 32;

    /// <summary>Reads the first <see cref="Size"/> bytes of <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="source"/> is shorter than <see cref="Size"/>.</exception>
    public static HelloNonce Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt128BigEndian(source), BinaryPrimitives.ReadUInt128BigEndian(source[16..Size]));

    /// <summary>Writes the <see cref="Size"/> bytes at the start of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="destination"/> is shorter than <see cref="Size"/>.</exception>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt128BigEndian(destination, High);
        BinaryPrimitives.WriteUInt128BigEndian(destination[16..Size], Low);
    }
}
