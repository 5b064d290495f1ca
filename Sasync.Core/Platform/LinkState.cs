namespace Sasync.Core.Platform;

/// <summary>An interface's link state (LINK_STATE_* in OpenBSD's if.h).</summary>
public enum LinkState : byte
{
    /// <summary>LINK_STATE_UNKNOWN: what an old kernel reports for a carp interface in INIT.</summary>
    Unknown = 0,

    /// <summary>LINK_STATE_INVALID: what a current kernel reports for a carp interface in INIT.</summary>
    Invalid = 1,

    /// <summary>LINK_STATE_DOWN: for carp, BACKUP.</summary>
    Down = 2,

    /// <summary>LINK_STATE_KALIVE_DOWN: keepalive failed (not a carp state).</summary>
    KeepAliveDown = 3,

    /// <summary>LINK_STATE_UP: for carp, MASTER.</summary>
    Up = 4,

    /// <summary>LINK_STATE_HALF_DUPLEX: up, half duplex (MASTER for carp).</summary>
    HalfDuplex = 5,

    /// <summary>LINK_STATE_FULL_DUPLEX: up, full duplex (MASTER for carp).</summary>
    FullDuplex = 6,
}

/// <summary>How a carp interface's link state becomes a run state: carp reports MASTER as link up and BACKUP as link down.</summary>
public static class CarpRunState
{
    /// <summary>MASTER for up, SLAVE for down, INIT for unknown or invalid (carp still in INIT), FAIL for anything else.</summary>
    public static RunState FromLinkState(LinkState state) => state switch
    {
        LinkState.Up or LinkState.HalfDuplex or LinkState.FullDuplex => RunState.Master,
        LinkState.Down => RunState.Slave,
        // A carp whose vhosts are all INIT reports INVALID on current kernels, UNKNOWN on old ones.
        LinkState.Unknown or LinkState.Invalid => RunState.Init,
        _ => RunState.Fail,
    };
}
