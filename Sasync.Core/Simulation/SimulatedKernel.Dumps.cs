using System.Runtime.CompilerServices;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;

namespace Sasync.Core.Simulation;

// The sysctl dumps (NET_KEY_SADB_DUMP, NET_KEY_SPD_DUMP of pfkeyv2_sysctl), whole or as a stream of chunks.
public sealed partial class SimulatedKernel
{
    /// <summary>The pooled buffers of <see cref="DumpChunksAsync"/>'s chunks, and how many are out.</summary>
    public KernelDumpBuffers DumpBuffers { get; } = new();

    // The entry lists of DumpChunksAsync, kept for the next dumps. From ArrayPool.Shared, each thread that gave
    // one back kept it (an SADB of 100 000 SAs lists them in 1 MB, of 1 000 000 in 8 MB; a gcdump found nine of
    // each size class alive), where one kernel needs one of each per dump under way. Two are kept: a takeover
    // dumps for the joining peer's snapshot and for the other's digest at once, and with one kept the second
    // list was new at every takeover, large-object garbage that only a full collection frees (in bench sync's
    // failover rounds, 1 MB of each kind per round).
    private const int KeptDumpLists = 2;
    private readonly SadbEntry[]?[] _dumpSas = new SadbEntry[KeptDumpLists][];
    private readonly SpdEntry[]?[] _dumpFlows = new SpdEntry[KeptDumpLists][];

    /// <summary>
    /// <see cref="DumpSadb"/> then <see cref="DumpSpd"/> of <paramref name="routingDomain"/> as chunks of whole records
    /// in <see cref="DumpBuffers"/>, the same bytes in the same order, each chunk written when it is asked for.
    /// </summary>
    /// <remarks>
    /// Which SAs and flows the dump holds is fixed at the first chunk: the entries are listed then, under the
    /// kernel's lock (8 bytes each, not their records). Each record is written later, under the lock, from its entry
    /// as it is then: an SA updated meanwhile shows its update, one removed meanwhile still shows. That is safe for
    /// the snapshot, the one reader that streams: the MASTER is promiscuous and holds every change made after it
    /// asked for the dump, and sends them after the snapshot, in order; each replayed change sets what it set before
    /// (an ADD of what is there is refused, a DELETE of what is gone too), so the peer ends with our kernel's state,
    /// as it does today for the changes made between the request and the dump.
    /// </remarks>
    public async IAsyncEnumerable<KernelDumpChunk> DumpChunksAsync(uint routingDomain = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false); // in memory: nothing to wait for
        SadbEntry[] sas;
        SpdEntry[] flows;
        int saCount = 0, flowCount = 0;
        lock (_lock)
        {
            sas = TakeDumpList(_dumpSas, _sadb.Count);
            foreach (var entry in _sadb)
            {
                if (InDump(entry, routingDomain, SadbSaType.Unspec))
                {
                    sas[saCount++] = entry;
                }
            }

            flows = TakeDumpList(_dumpFlows, _spd.Count);
            for (var entry = _spd.Last; entry is not null; entry = entry.Previous)
            {
                if (entry.RoutingDomain == routingDomain)
                {
                    flows[flowCount++] = entry;
                }
            }
        }

        try
        {
            for (var next = 0; next < saCount;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return NextChunk(sas, saCount, ref next, KernelDumpTable.Sadb, SadbMessageType.Dump);
            }

            for (var next = 0; next < flowCount;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return NextChunk(flows, flowCount, ref next, KernelDumpTable.Spd, SadbMessageType.XSpdDump);
            }
        }
        finally
        {
            lock (_lock)
            {
                KeepDumpList(_dumpSas, sas, saCount);
                KeepDumpList(_dumpFlows, flows, flowCount);
            }
        }
    }

    // A kept list big enough (with room for some growth), or a new one.
    private static T[] TakeDumpList<T>(T[]?[] kept, int count)
        where T : class
    {
        for (var i = 0; i < kept.Length; i++)
        {
            if (kept[i] is { } list && list.Length >= count)
            {
                kept[i] = null;
                return list;
            }
        }

        return new T[Math.Max(16, count + (count / 8))];
    }

    // Keeps this list, emptied, for the next dump: in a free place, or in place of the smallest kept one if that is smaller.
    private static void KeepDumpList<T>(T[]?[] kept, T[] list, int used)
        where T : class
    {
        Array.Clear(list, 0, used);
        var smallest = 0;
        for (var i = 0; i < kept.Length; i++)
        {
            if (kept[i] is null)
            {
                kept[i] = list;
                return;
            }

            smallest = kept[i]!.Length < kept[smallest]!.Length ? i : smallest;
        }

        if (kept[smallest]!.Length < list.Length)
        {
            kept[smallest] = list;
        }
    }

    // Records from entries[next..] while they fit one buffer (at least one).
    private KernelDumpChunk NextChunk<T>(T[] entries, int count, ref int next, KernelDumpTable table, SadbMessageType type)
        where T : IDumpRecordSource
    {
        lock (_lock)
        {
            var buffer = DumpBuffers.Rent(SadbHeader.Size + entries[next].ExportLength());
            var offset = 0;
            while (next < count && SadbHeader.Size + entries[next].ExportLength() <= buffer.Length - offset)
            {
                offset += WriteRecord(entries[next++], type, buffer.AsSpan(offset));
            }

            return DumpBuffers.Lend(table, buffer, offset);
        }
    }

    // One dump record: the header (length in 8-byte units, as PF_KEY counts) before the entry's extensions.
    private static int WriteRecord<T>(T entry, SadbMessageType type, Span<byte> destination)
        where T : IDumpRecordSource
    {
        var record = SadbHeader.Size + entry.ExportTo(destination[SadbHeader.Size..]);
        new SadbHeader(SadbHeader.Version2, type, 0, entry.RecordSaType, (ushort)(record / 8), 0, 0, 0).WriteTo(destination);
        return record;
    }

    /// <summary>
    /// NET_KEY_SADB_DUMP: one record per SA of <paramref name="routingDomain"/> (header type DUMP
    /// with the SA's satype, 0 for a larval SA), extensions in pfkeyv2_get's order, keys included.
    /// </summary>
    public byte[] DumpSadb(uint routingDomain = 0, SadbSaType filter = SadbSaType.Unspec)
    {
        lock (_lock)
        {
            // Sized first, then every record written in place: one buffer for the whole dump.
            var length = 0;
            foreach (var entry in _sadb)
            {
                length += InDump(entry, routingDomain, filter) ? SadbHeader.Size + entry.ExportLength() : 0;
            }

            var dump = new byte[length];
            var offset = 0;
            foreach (var entry in _sadb)
            {
                if (InDump(entry, routingDomain, filter))
                {
                    offset += WriteRecord(entry, SadbMessageType.Dump, dump.AsSpan(offset));
                }
            }

            return dump;
        }
    }

    /// <summary>NET_KEY_SPD_DUMP: one X_SPDDUMP record per flow of <paramref name="routingDomain"/>, newest first.</summary>
    public byte[] DumpSpd(uint routingDomain = 0)
    {
        lock (_lock)
        {
            var length = 0;
            foreach (var entry in _spd)
            {
                length += entry.RoutingDomain == routingDomain ? SadbHeader.Size + entry.ExportLength() : 0;
            }

            var dump = new byte[length];
            var offset = 0;
            for (var entry = _spd.Last; entry is not null; entry = entry.Previous)
            {
                if (entry.RoutingDomain == routingDomain)
                {
                    offset += WriteRecord(entry, SadbMessageType.XSpdDump, dump.AsSpan(offset));
                }
            }

            return dump;
        }
    }
}
