namespace Sasync.Core.PfKey;

/// <summary><c>sadb_msg_satype</c> values (SADB_SATYPE_*, pfkeyv2.h 1.95).</summary>
public enum SadbSaType : byte
{
    /// <summary>SADB_SATYPE_UNSPEC: any type (FLUSH, DUMP, REGISTER).</summary>
    Unspec = 0,

    /// <summary>SADB_SATYPE_AH: authentication header.</summary>
    Ah = 1,

    /// <summary>SADB_SATYPE_ESP: encapsulating security payload.</summary>
    Esp = 2,

    /// <summary>SADB_SATYPE_RSVP (RFC 2367).</summary>
    Rsvp = 3,

    /// <summary>SADB_SATYPE_OSPFV2 (RFC 2367).</summary>
    Ospfv2 = 4,

    /// <summary>SADB_SATYPE_RIPV2 (RFC 2367).</summary>
    Ripv2 = 5,

    /// <summary>SADB_SATYPE_MIP (RFC 2367).</summary>
    Mip = 6,

    /// <summary>SADB_X_SATYPE_IPIP: IP-in-IP.</summary>
    XIpip = 7,

    /// <summary>SADB_X_SATYPE_TCPSIGNATURE: TCP MD5 signatures (RFC 2385).</summary>
    XTcpSignature = 8,

    /// <summary>SADB_X_SATYPE_IPCOMP: IP payload compression.</summary>
    XIpcomp = 9,
}
