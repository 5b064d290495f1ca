namespace Sasync.Core.Platform;

/// <summary>An interface's link state (LINK_STATE_* in OpenBSD's if.h).</summary>
public enum LinkState : byte
{
    Unknown = 0,
    Invalid = 1,
    Down = 2,
    KeepAliveDown = 3,
    Up = 4,
    HalfDuplex = 5,
    FullDuplex = 6,
}

/// <summary>How a carp interface's link state becomes a run state (DESIGN.md §3).</summary>
public static class CarpRunState
{
    public static RunState FromLinkState(LinkState state) => state switch
    {
        LinkState.Up or LinkState.HalfDuplex or LinkState.FullDuplex => RunState.Master,
        LinkState.Down => RunState.Slave,
        // A carp whose vhosts are all INIT reports INVALID on current kernels, UNKNOWN on old ones.
        LinkState.Unknown or LinkState.Invalid => RunState.Init,
        _ => RunState.Fail,
    };
}
