namespace Sasync.Core.PfKey;

/// <summary><c>sadb_msg_satype</c> values (SADB_SATYPE_*, pfkeyv2.h 1.95).</summary>
public enum SadbSaType : byte
{
    Unspec = 0,
    Ah = 1,
    Esp = 2,
    Rsvp = 3,
    Ospfv2 = 4,
    Ripv2 = 5,
    Mip = 6,
    XIpip = 7,
    XTcpSignature = 8,
    XIpcomp = 9,
}
