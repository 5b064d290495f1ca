using System.Buffers.Binary;

namespace Sasync.Core.Sync.Digest;

/// <summary>
/// A canonical, order-independent digest of what a snapshot carries: how many SAs and flows, and the
/// sum modulo 2^256 of one SHA-256 per record (a multiset hash, so the order of a dump never matters
/// and a record counted twice does not cancel out). Two kernels whose SADB and SPD would make the same
/// snapshot have the same digest; what the kernel keeps on its own (current lifetimes, counters, the
/// replay counter, the path MTU) is not in it. See <see cref="SnapshotDigestBuilder"/> for what a record covers.
/// </summary>
/// <param name="Sas">SADB records counted.</param>
/// <param name="Flows">SPD records counted.</param>
/// <param name="Sum0">The most significant 64 bits of the 256-bit sum.</param>
/// <param name="Sum1">The next 64 bits.</param>
/// <param name="Sum2">The next 64 bits.</param>
/// <param name="Sum3">The least significant 64 bits.</param>
public readonly record struct SnapshotDigest(uint Sas, uint Flows, ulong Sum0, ulong Sum1, ulong Sum2, ulong Sum3)
{
    /// <summary>Bytes of the 256-bit sum on the wire.</summary>
    public const int SumSize = 32;

    /// <summary>The digest of an empty SADB and SPD.</summary>
    public static SnapshotDigest Empty => default;

    /// <summary>Writes the sum, big-endian, to the first <see cref="SumSize"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteSum(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, Sum0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Sum1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], Sum2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], Sum3);
    }

    /// <summary>A digest from its counts and a big-endian sum of <see cref="SumSize"/> bytes.</summary>
    public static SnapshotDigest FromSum(uint sas, uint flows, ReadOnlySpan<byte> sum) => new(
        sas,
        flows,
        BinaryPrimitives.ReadUInt64BigEndian(sum),
        BinaryPrimitives.ReadUInt64BigEndian(sum[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(sum[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(sum[24..]));

    /// <summary>The first 8 hex digits of the sum, with the counts, for log lines.</summary>
    public override string ToString() => $"{Sas} SAs, {Flows} flows, {Sum0 >> 32:x8}";
}
