using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Security.Cryptography;
using Sasync.Core.PfKey;

namespace Sasync.Core.Sync.Digest;

/// <summary>
/// Adds records to a <see cref="SnapshotDigest"/>. A record is hashed as the snapshot message it
/// becomes (DESIGN.md §3): an SADB record as an ADD, an SPD record as an X_ADDFLOW, each with only the
/// extensions that message may carry (<see cref="AllowedExtensions"/>), and of those not
/// LIFETIME_CURRENT, whose use counters and times are the kernel's own. What is hashed: the message
/// type and SA type, then every kept extension, header included, in ascending extension type (so the
/// kernel's layout order does not matter). Header fields the snapshot clears (errno, sequence, pid) and
/// the dump's own header type are not hashed.
/// </summary>
/// <remarks>
/// Records are walked by their extension headers only (one SHA-256 call per record, nothing allocated):
/// a digest costs a fraction of the snapshot it may save. The framing is checked; the insides are not,
/// so a record a snapshot would refuse still counts here, and can only make two digests differ.
/// </remarks>
internal sealed class SnapshotDigestBuilder
{
    private const int MaxExtensions = 64;

    private byte[] _scratch = new byte[SnapshotCursor.MaxMessageLength];
    private uint _sas;
    private uint _flows;
    private ulong _sum0;
    private ulong _sum1;
    private ulong _sum2;
    private ulong _sum3;

    /// <summary>The digest of the records added so far.</summary>
    public SnapshotDigest Digest => new(_sas, _flows, _sum0, _sum1, _sum2, _sum3);

    /// <summary>Adds one SADB dump record as the ADD a snapshot makes of it; false when its framing is broken.</summary>
    public bool TryAddSa(ReadOnlySpan<byte> record)
    {
        if (!TryAdd(record, SadbMessageType.Add, AllowedExtensions.InAdd))
        {
            return false;
        }

        _sas++;
        return true;
    }

    /// <summary>Adds one SPD dump record as the X_ADDFLOW a snapshot makes of it; false when its framing is broken.</summary>
    public bool TryAddFlow(ReadOnlySpan<byte> record)
    {
        if (!TryAdd(record, SadbMessageType.XAddFlow, AllowedExtensions.InAddFlow))
        {
            return false;
        }

        _flows++;
        return true;
    }

    /// <summary>
    /// The extensions of <paramref name="record"/> (a whole message, header first) a snapshot message of
    /// <paramref name="allowed"/> keeps, as (offset, length, type) in ascending type; false when the framing is broken
    /// or a type repeats.
    /// </summary>
    public static bool TryKeptExtensions(ReadOnlySpan<byte> record, FrozenSet<SadbExtensionType> allowed, Span<(int Offset, int Length, SadbExtensionType Type)> kept, out int count)
    {
        count = 0;
        var seen = 0UL;
        for (var offset = SadbHeader.Size; offset < record.Length;)
        {
            if (record.Length - offset < PfKeyExtension.HeaderSize)
            {
                return false;
            }

            var length = PfKeyExtension.ReadLengthInUnits(record[offset..]) * 8;
            var type = (SadbExtensionType)BinaryPrimitives.ReadUInt16LittleEndian(record[(offset + 2)..]);
            if (length == 0 || length > record.Length - offset || (ushort)type >= MaxExtensions || (seen & (1UL << (int)type)) != 0)
            {
                return false;
            }

            seen |= 1UL << (int)type;
            if (type != SadbExtensionType.LifetimeCurrent && allowed.Allows(type))
            {
                // Insertion sort by type: a handful of extensions, nearly always in order already.
                var at = count++;
                while (at > 0 && kept[at - 1].Type > type)
                {
                    kept[at] = kept[at - 1];
                    at--;
                }

                kept[at] = (offset, length, type);
            }

            offset += length;
        }

        return true;
    }

    private bool TryAdd(ReadOnlySpan<byte> record, SadbMessageType type, FrozenSet<SadbExtensionType> allowed)
    {
        Span<(int Offset, int Length, SadbExtensionType Type)> kept = stackalloc (int, int, SadbExtensionType)[MaxExtensions];
        if (record.Length < SadbHeader.Size || !TryKeptExtensions(record, allowed, kept, out var count))
        {
            return false;
        }

        var total = 2;
        foreach (var (_, length, _) in kept[..count])
        {
            total += length;
        }

        if (_scratch.Length < total)
        {
            _scratch = new byte[total];
        }

        // The canonical form in one piece, so that it is one hash call.
        _scratch[0] = (byte)type;
        _scratch[1] = (byte)SadbHeader.Read(record).SaType;
        var written = 2;
        foreach (var (offset, length, _) in kept[..count])
        {
            record.Slice(offset, length).CopyTo(_scratch.AsSpan(written));
            written += length;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(_scratch.AsSpan(0, written), hash);
        AddToSum(hash);
        return true;
    }

    // The sum modulo 2^256, in four 64-bit limbs with carries.
    private void AddToSum(ReadOnlySpan<byte> hash)
    {
        var carry = AddLimb(ref _sum3, BinaryPrimitives.ReadUInt64BigEndian(hash[24..]), 0);
        carry = AddLimb(ref _sum2, BinaryPrimitives.ReadUInt64BigEndian(hash[16..]), carry);
        carry = AddLimb(ref _sum1, BinaryPrimitives.ReadUInt64BigEndian(hash[8..]), carry);
        _ = AddLimb(ref _sum0, BinaryPrimitives.ReadUInt64BigEndian(hash), carry);
    }

    private static ulong AddLimb(ref ulong limb, ulong value, ulong carry)
    {
        var sum = limb + value;
        var overflow = sum < limb ? 1UL : 0UL;
        var total = sum + carry;
        overflow |= total < sum ? 1UL : 0UL;
        limb = total;
        return overflow;
    }
}
