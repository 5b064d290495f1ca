using Sasync.Core.PfKey;

namespace Sasync.Core.Sync.Digest;

/// <summary>
/// The <see cref="SnapshotDigest"/> of a kernel's SADB and SPD dumps, from either side of a resync:
/// the MASTER's as its snapshot would carry it (the snapshot's filter applied, as <see cref="SnapshotCursor"/>
/// does), the joining node's as all it holds (no filter: an SA a snapshot would not carry, and a FLUSH
/// would remove, must make the digests differ, never be overlooked).
/// </summary>
internal static class KernelDigest
{
    /// <summary>
    /// The digest of the dumps; false, with the first problem, when a dump is malformed or a record
    /// could not go into a snapshot: then only a full snapshot will do.
    /// </summary>
    /// <param name="sadbDump">NET_KEY_SADB_DUMP.</param>
    /// <param name="spdDump">NET_KEY_SPD_DUMP.</param>
    /// <param name="filter">The MASTER's snapshot filter, or null for every record (the joining node's own kernel).</param>
    /// <param name="digest">The digest, when true.</param>
    /// <param name="problem">Why there is none, when false.</param>
    public static bool TryCompute(ReadOnlyMemory<byte> sadbDump, ReadOnlyMemory<byte> spdDump, SyncFilterContext? filter, out SnapshotDigest digest, out string? problem)
    {
        using var builder = new SnapshotDigestBuilder();
        digest = default;
        if (!TryAddAll(sadbDump, sa: true, filter, builder, out problem) || !TryAddAll(spdDump, sa: false, filter, builder, out problem))
        {
            return false;
        }

        digest = builder.Digest;
        return true;
    }

    private static bool TryAddAll(ReadOnlyMemory<byte> dump, bool sa, SyncFilterContext? filter, SnapshotDigestBuilder builder, out string? problem)
    {
        var reader = new PfKeyDumpReader(dump);
        var table = sa ? "SADB" : "SPD";
        while (true)
        {
            switch (reader.Next(out var record, out var error))
            {
                case DumpRecordStatus.End:
                    problem = null;
                    return true;
                case DumpRecordStatus.BadRecord or DumpRecordStatus.Broken:
                    problem = $"{table} dump: {error.Message}";
                    return false;
            }

            var type = sa ? SadbMessageType.Add : SadbMessageType.XAddFlow;
            if (filter is not null)
            {
                if (!SyncFilter.Decide(record!, filter, type).Sync)
                {
                    continue;
                }

                if (PfKeyRewrite.RebuiltLength(record!, sa ? AllowedExtensions.InAdd : AllowedExtensions.InAddFlow) > SnapshotCursor.MaxMessageLength)
                {
                    problem = $"{table} dump: a record too long for a snapshot";
                    return false;
                }
            }

            if (sa)
            {
                builder.AddSa(record!);
            }
            else
            {
                builder.AddFlow(record!);
            }
        }
    }
}
