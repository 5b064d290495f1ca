using System.Collections.Immutable;
using Sasync.Core.Config;

namespace Sasync.Core.PfKey;

/// <summary>
/// The PF_KEY messages a MASTER sends a peer as its snapshot, in order; the caller sends ENDSNAP after them.
/// </summary>
/// <param name="Messages">FLUSH (flushmode startup), then every synced SA as ADD, then every flow as X_ADDFLOW.</param>
/// <param name="SaCount">How many SADB records became ADDs.</param>
/// <param name="FlowCount">How many SPD records became X_ADDFLOWs.</param>
/// <param name="Skipped">Records the filter skipped, by reason.</param>
/// <param name="Errors">Malformed dump data; the records before the error are still in <paramref name="Messages"/>.</param>
public sealed record Snapshot(
    ImmutableArray<ReadOnlyMemory<byte>> Messages,
    int SaCount,
    int FlowCount,
    ImmutableDictionary<FilterReason, int> Skipped,
    ImmutableArray<PfKeyError> Errors);

/// <summary>Turns the kernel's SADB and SPD dumps into the snapshot messages of DESIGN.md §3.</summary>
public static class SnapshotBuilder
{
    /// <summary>PFKEY_MSG_MAXSZ: the kernel refuses longer writes (EMSGSIZE), and a frame carries at most 4096 bytes.</summary>
    public const int MaxMessageLength = 4096;

    /// <summary>A bare FLUSH of every SA type, sent before a snapshot under <c>flushmode startup</c>.</summary>
    public static byte[] Flush()
    {
        var bytes = new byte[SadbHeader.Size];
        new SadbHeader(SadbHeader.Version2, SadbMessageType.Flush, 0, SadbSaType.Unspec, SadbHeader.Size / 8, 0, 0, 0).WriteTo(bytes);
        return bytes;
    }

    /// <summary>
    /// Builds the snapshot: each SADB record becomes an ADD (SA type kept) and each SPD record an
    /// X_ADDFLOW, with header errno/seq/pid cleared and the extensions the new type may not carry
    /// dropped; records the filter refuses (larval SAs, peer addresses under skipslave) are skipped.
    /// </summary>
    public static Snapshot Build(ReadOnlyMemory<byte> sadbDump, ReadOnlyMemory<byte> spdDump, SyncFilterContext context)
    {
        var messages = ImmutableArray.CreateBuilder<ReadOnlyMemory<byte>>();
        var skipped = new Dictionary<FilterReason, int>();
        var errors = ImmutableArray.CreateBuilder<PfKeyError>();
        if (context.FlushMode == FlushMode.Startup)
        {
            messages.Add(Flush());
        }

        var sas = AddRecords(sadbDump, SadbMessageType.Add, AllowedExtensions.InAdd, context, messages, skipped, errors, "SADB");
        var flows = AddRecords(spdDump, SadbMessageType.XAddFlow, AllowedExtensions.InAddFlow, context, messages, skipped, errors, "SPD");
        return new Snapshot(messages.ToImmutable(), sas, flows, skipped.ToImmutableDictionary(), errors.ToImmutable());
    }

    private static int AddRecords(
        ReadOnlyMemory<byte> dump,
        SadbMessageType type,
        System.Collections.Frozen.FrozenSet<SadbExtensionType> allowed,
        SyncFilterContext context,
        ImmutableArray<ReadOnlyMemory<byte>>.Builder messages,
        Dictionary<FilterReason, int> skipped,
        ImmutableArray<PfKeyError>.Builder errors,
        string name)
    {
        if (!PfKeyMessage.TryParseDump(dump, out var records, out var error))
        {
            errors.Add(error with { Message = $"{name} dump: {error.Message}" });
        }

        var count = 0;
        foreach (var record in records)
        {
            // Filter the record as the type it is sent as, as the original does: larval SAs and peer addresses stay out.
            var decision = SyncFilter.Decide(record, context, type);
            if (!decision.Sync)
            {
                skipped[decision.Reason] = skipped.GetValueOrDefault(decision.Reason) + 1;
                continue;
            }

            var header = record.Header with { Type = type, Errno = 0, Reserved = 0, Sequence = 0, Pid = 0 };
            var bytes = PfKeyRewrite.Rebuild(record, header, allowed);
            if (bytes.Length > MaxMessageLength)
            {
                errors.Add(new PfKeyError(0, $"{name} dump: a {type} of {bytes.Length} bytes exceeds the {MaxMessageLength}-byte PF_KEY limit; skipped"));
                continue;
            }

            messages.Add(bytes);
            count++;
        }

        return count;
    }
}
