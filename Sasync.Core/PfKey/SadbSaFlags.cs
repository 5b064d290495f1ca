namespace Sasync.Core.PfKey;

/// <summary><c>sadb_sa_flags</c> bits (SADB_SAFLAGS_* / SADB_X_SAFLAGS_*, pfkeyv2.h 1.95).</summary>
[Flags]
public enum SadbSaFlags : uint
{
    None = 0,
    Pfs = 0x001,
    XTunnel = 0x004,
    XChainDel = 0x008,
    XUdpEncap = 0x200,
    XEsn = 0x400,
}
