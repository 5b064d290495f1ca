namespace Sasync.Core.PfKey;

/// <summary>SADB_X_FLOW_TYPE_* values, carried in the proto byte of the FLOW_TYPE extension.</summary>
public enum SadbFlowType : byte
{
    Unspecified = 0,
    Use = 1,
    Acquire = 2,
    Require = 3,
    Bypass = 4,
    Deny = 5,
    DontAcquire = 6,
}
