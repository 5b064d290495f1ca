namespace Sasync.Core.PfKey;

/// <summary><c>sadb_msg_type</c> values (pfkeyv2.h 1.95; unchanged since 1.58).</summary>
public enum SadbMessageType : byte
{
    Reserved = 0,
    GetSpi = 1,
    Update = 2,
    Add = 3,
    Delete = 4,
    Get = 5,
    Acquire = 6,
    Register = 7,
    Expire = 8,
    Flush = 9,
    Dump = 10,
    XPromisc = 11,
    XAddFlow = 12,
    XDelFlow = 13,
    XGrpSpis = 14,
    XAskPolicy = 15,
    XSpdDump = 16,
}
