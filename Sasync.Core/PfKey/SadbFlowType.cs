namespace Sasync.Core.PfKey;

/// <summary>SADB_X_FLOW_TYPE_* values, carried in the proto byte of the FLOW_TYPE extension.</summary>
public enum SadbFlowType : byte
{
    /// <summary>Not set.</summary>
    Unspecified = 0,

    /// <summary>SADB_X_FLOW_TYPE_USE: use an SA when there is one, else send in the clear.</summary>
    Use = 1,

    /// <summary>SADB_X_FLOW_TYPE_ACQUIRE: send in the clear while asking the key daemon for an SA.</summary>
    Acquire = 2,

    /// <summary>SADB_X_FLOW_TYPE_REQUIRE: drop until an SA exists.</summary>
    Require = 3,

    /// <summary>SADB_X_FLOW_TYPE_BYPASS: never use IPsec for this traffic.</summary>
    Bypass = 4,

    /// <summary>SADB_X_FLOW_TYPE_DENY: drop this traffic.</summary>
    Deny = 5,

    /// <summary>SADB_X_FLOW_TYPE_DONTACQ: use an SA when there is one, never ask for one.</summary>
    DontAcquire = 6,
}
