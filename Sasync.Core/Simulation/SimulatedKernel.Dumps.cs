using System.Buffers;
using System.Runtime.CompilerServices;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;

namespace Sasync.Core.Simulation;

// The sysctl dumps (NET_KEY_SADB_DUMP, NET_KEY_SPD_DUMP of pfkeyv2_sysctl), whole or as a stream of chunks.
public sealed partial class SimulatedKernel
{
    /// <summary>The pooled buffers of <see cref="DumpChunksAsync"/>'s chunks, and how many are out.</summary>
    public KernelDumpBuffers DumpBuffers { get; } = new();

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
            sas = ArrayPool<SadbEntry>.Shared.Rent(Math.Max(1, _sadb.Count));
            foreach (var entry in _sadb)
            {
                if (InDump(entry, routingDomain, SadbSaType.Unspec))
                {
                    sas[saCount++] = entry;
                }
            }

            flows = ArrayPool<SpdEntry>.Shared.Rent(Math.Max(1, _spd.Count));
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
                yield return NextSadbChunk(sas, saCount, ref next);
            }

            for (var next = 0; next < flowCount;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return NextSpdChunk(flows, flowCount, ref next);
            }
        }
        finally
        {
            ArrayPool<SadbEntry>.Shared.Return(sas, clearArray: true);
            ArrayPool<SpdEntry>.Shared.Return(flows, clearArray: true);
        }
    }

    // Records from entries[next..] while they fit one buffer (at least one).
    private KernelDumpChunk NextSadbChunk(SadbEntry[] entries, int count, ref int next)
    {
        lock (_lock)
        {
            var buffer = DumpBuffers.Rent(SadbHeader.Size + entries[next].ExportLength());
            var offset = 0;
            while (next < count && SadbHeader.Size + entries[next].ExportLength() is var length && length <= buffer.Length - offset)
            {
                var entry = entries[next++];
                var record = SadbHeader.Size + entry.ExportTo(buffer.AsSpan(offset + SadbHeader.Size));
                new SadbHeader(SadbHeader.Version2, SadbMessageType.Dump, 0, entry.DumpSaType, (ushort)(record / 8), 0, 0, 0).WriteTo(buffer.AsSpan(offset));
                offset += record;
            }

            return DumpBuffers.Lend(KernelDumpTable.Sadb, buffer, offset);
        }
    }

    private KernelDumpChunk NextSpdChunk(SpdEntry[] entries, int count, ref int next)
    {
        lock (_lock)
        {
            var buffer = DumpBuffers.Rent(SadbHeader.Size + entries[next].ExportLength());
            var offset = 0;
            while (next < count && SadbHeader.Size + entries[next].ExportLength() is var length && length <= buffer.Length - offset)
            {
                var entry = entries[next++];
                var record = SadbHeader.Size + entry.ExportTo(buffer.AsSpan(offset + SadbHeader.Size));
                new SadbHeader(SadbHeader.Version2, SadbMessageType.XSpdDump, 0, entry.SaType, (ushort)(record / 8), 0, 0, 0).WriteTo(buffer.AsSpan(offset));
                offset += record;
            }

            return DumpBuffers.Lend(KernelDumpTable.Spd, buffer, offset);
        }
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
                    var record = SadbHeader.Size + entry.ExportTo(dump.AsSpan(offset + SadbHeader.Size));
                    new SadbHeader(SadbHeader.Version2, SadbMessageType.Dump, 0, entry.DumpSaType, (ushort)(record / 8), 0, 0, 0).WriteTo(dump.AsSpan(offset));
                    offset += record;
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
                    var record = SadbHeader.Size + entry.ExportTo(dump.AsSpan(offset + SadbHeader.Size));
                    new SadbHeader(SadbHeader.Version2, SadbMessageType.XSpdDump, 0, entry.SaType, (ushort)(record / 8), 0, 0, 0).WriteTo(dump.AsSpan(offset));
                    offset += record;
                }
            }

            return dump;
        }
    }
}
