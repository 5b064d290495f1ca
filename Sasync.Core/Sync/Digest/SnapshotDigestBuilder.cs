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
internal sealed class SnapshotDigestBuilder : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private uint _sas;
    private uint _flows;
    private ulong _sum0;
    private ulong _sum1;
    private ulong _sum2;
    private ulong _sum3;

    /// <summary>The digest of the records added so far.</summary>
    public SnapshotDigest Digest => new(_sas, _flows, _sum0, _sum1, _sum2, _sum3);

    /// <summary>Adds an SADB dump record as the ADD a snapshot makes of it.</summary>
    public void AddSa(PfKeyMessage record)
    {
        Add(record, SadbMessageType.Add, AllowedExtensions.InAdd);
        _sas++;
    }

    /// <summary>Adds an SPD dump record as the X_ADDFLOW a snapshot makes of it.</summary>
    public void AddFlow(PfKeyMessage record)
    {
        Add(record, SadbMessageType.XAddFlow, AllowedExtensions.InAddFlow);
        _flows++;
    }

    /// <inheritdoc/>
    public void Dispose() => _sha.Dispose();

    private void Add(PfKeyMessage record, SadbMessageType type, FrozenSet<SadbExtensionType> allowed)
    {
        ArgumentNullException.ThrowIfNull(record);
        ReadOnlySpan<byte> header = [(byte)type, (byte)record.Header.SaType];
        _sha.AppendData(header);

        // A message holds each extension type once, and there are fewer than 64 types.
        var extensions = record.Extensions;
        Span<int> order = stackalloc int[Math.Min(extensions.Length, 64)];
        var kept = 0;
        for (var i = 0; i < extensions.Length && kept < order.Length; i++)
        {
            var extensionType = extensions[i].Type;
            if (extensionType == SadbExtensionType.LifetimeCurrent || !allowed.Contains(extensionType))
            {
                continue;
            }

            // Insertion sort by type: a handful of extensions, nearly always in order already.
            var at = kept++;
            while (at > 0 && extensions[order[at - 1]].Type > extensionType)
            {
                order[at] = order[at - 1];
                at--;
            }

            order[at] = i;
        }

        foreach (var index in order[..kept])
        {
            _sha.AppendData(extensions[index].Span);
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        _sha.GetHashAndReset(hash);
        AddToSum(hash);
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
