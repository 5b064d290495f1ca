namespace Sasync.Core.PfKey;

/// <summary><c>sadb_msg_type</c> values (pfkeyv2.h 1.95; unchanged since 1.58).</summary>
public enum SadbMessageType : byte
{
    /// <summary>SADB_RESERVED: not a message.</summary>
    Reserved = 0,

    /// <summary>SADB_GETSPI: allocate an SPI for a larval SA.</summary>
    GetSpi = 1,

    /// <summary>SADB_UPDATE: complete a larval SA or change an SA.</summary>
    Update = 2,

    /// <summary>SADB_ADD: add a complete SA.</summary>
    Add = 3,

    /// <summary>SADB_DELETE: remove an SA.</summary>
    Delete = 4,

    /// <summary>SADB_GET: read one SA.</summary>
    Get = 5,

    /// <summary>SADB_ACQUIRE: the kernel asks the key daemon for an SA.</summary>
    Acquire = 6,

    /// <summary>SADB_REGISTER: a key daemon registers for ACQUIREs of an SA type.</summary>
    Register = 7,

    /// <summary>SADB_EXPIRE: the kernel reports an SA reaching a soft or hard lifetime.</summary>
    Expire = 8,

    /// <summary>SADB_FLUSH: remove every SA (and, with SA type UNSPEC, every flow).</summary>
    Flush = 9,

    /// <summary>SADB_DUMP: list the SADB.</summary>
    Dump = 10,

    /// <summary>SADB_X_PROMISC: switch promiscuous mode, or (from the kernel) a copy of another socket's message.</summary>
    XPromisc = 11,

    /// <summary>SADB_X_ADDFLOW: add or replace a flow (an SPD entry).</summary>
    XAddFlow = 12,

    /// <summary>SADB_X_DELFLOW: remove a flow.</summary>
    XDelFlow = 13,

    /// <summary>SADB_X_GRPSPIS: group two SAs into a bundle.</summary>
    XGrpSpis = 14,

    /// <summary>SADB_X_ASKPOLICY: ask for the policy of an ACQUIRE.</summary>
    XAskPolicy = 15,

    /// <summary>SADB_X_SPDDUMP: list the SPD.</summary>
    XSpdDump = 16,
}
