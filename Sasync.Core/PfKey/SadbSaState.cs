namespace Sasync.Core.PfKey;

/// <summary><c>sadb_sa_state</c> values (SADB_SASTATE_*, pfkeyv2.h 1.95).</summary>
public enum SadbSaState : byte
{
    /// <summary>SADB_SASTATE_LARVAL: an SPI reserved by GETSPI, not yet usable.</summary>
    Larval = 0,

    /// <summary>SADB_SASTATE_MATURE: in use.</summary>
    Mature = 1,

    /// <summary>SADB_SASTATE_DYING: past its soft lifetime.</summary>
    Dying = 2,

    /// <summary>SADB_SASTATE_DEAD: past its hard lifetime.</summary>
    Dead = 3,
}
