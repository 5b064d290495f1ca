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
            return Concatenate(_sadb
                .Where(e => e.RoutingDomain == routingDomain && (filter == SadbSaType.Unspec || e.DumpSaType == filter))
                .Select(e => KernelLayout.Message(new SadbHeader(SadbHeader.Version2, SadbMessageType.Dump, 0, e.DumpSaType, 0, 0, 0, 0), e.Export())));
        }
    }

    /// <summary>NET_KEY_SPD_DUMP: one X_SPDDUMP record per flow of <paramref name="routingDomain"/>, newest first.</summary>
    public byte[] DumpSpd(uint routingDomain = 0)
    {
        lock (_lock)
        {
            return Concatenate(Enumerable.Reverse(_spd)
                .Where(e => e.RoutingDomain == routingDomain)
                .Select(e => KernelLayout.Message(new SadbHeader(SadbHeader.Version2, SadbMessageType.XSpdDump, 0, e.SaType, 0, 0, 0, 0), e.Export())));
        }
    }

    private static byte[] Concatenate(IEnumerable<byte[]> records)
    {
        var list = records.ToList();
        var bytes = new byte[list.Sum(r => r.Length)];
        var offset = 0;
        foreach (var record in list)
        {
            record.CopyTo(bytes, offset);
            offset += record.Length;
        }

        return bytes;
    }
}
