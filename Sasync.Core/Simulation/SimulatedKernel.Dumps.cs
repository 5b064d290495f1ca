using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

// The sysctl dumps (NET_KEY_SADB_DUMP, NET_KEY_SPD_DUMP of pfkeyv2_sysctl).
public sealed partial class SimulatedKernel
{
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
