using System.Net;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

// Lifetime expiry (pfkeyv2_expire), triggered by the caller instead of by timers.
public sealed partial class SimulatedKernel
{
    private uint _kernelSequence;

    /// <summary>
    /// Expires an SA as its soft or hard lifetime would: broadcasts SADB_EXPIRE (SA, LIFETIME_CURRENT,
    /// the expired lifetime, ADDRESS_SRC, ADDRESS_DST) to every socket of its routing domain, raw, not
    /// as a promiscuous copy; a hard expiry also removes the SA. False when no such SA exists.
    /// </summary>
    public bool TryExpire(SadbSaType saType, uint spi, IPAddress destination, bool hard, uint routingDomain = 0)
    {
        lock (_lock)
        {
            var entry = Find(new SaKey(saType, spi, AddressKey.From(destination), routingDomain));
            if (entry is null)
            {
                return false;
            }

            var header = new SadbHeader(SadbHeader.Version2, SadbMessageType.Expire, 0, entry.DumpSaType, 0, 0, _kernelSequence++, 0);
            Broadcast(entry.ExpireMessage(header, hard), routingDomain);
            if (hard)
            {
                RemoveSa(entry);
            }

            return true;
        }
    }
}
