namespace Sasync.Core.PfKey;

/// <summary><c>sadb_sa_flags</c> bits (SADB_SAFLAGS_* / SADB_X_SAFLAGS_*, pfkeyv2.h 1.95).</summary>
[Flags]
public enum SadbSaFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>SADB_SAFLAGS_PFS: perfect forward secrecy was used.</summary>
    Pfs = 0x001,

    /// <summary>SADB_X_SAFLAGS_TUNNEL: tunnel mode.</summary>
    XTunnel = 0x004,

    /// <summary>SADB_X_SAFLAGS_CHAINDEL: deleting this SA deletes its bundle.</summary>
    XChainDel = 0x008,

    /// <summary>SADB_X_SAFLAGS_UDPENCAP: ESP in UDP (NAT traversal); see the X_UDPENCAP extension.</summary>
    XUdpEncap = 0x200,

    /// <summary>SADB_X_SAFLAGS_ESN: extended (64-bit) sequence numbers.</summary>
    XEsn = 0x400,
}
