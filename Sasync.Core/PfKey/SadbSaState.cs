namespace Sasync.Core.PfKey;

/// <summary><c>sadb_sa_state</c> values (SADB_SASTATE_*, pfkeyv2.h 1.95).</summary>
public enum SadbSaState : byte
{
    Larval = 0,
    Mature = 1,
    Dying = 2,
    Dead = 3,
}
