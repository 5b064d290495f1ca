namespace Sasync.Core;

/// <summary>A node's run state, with the numbers sasyncd puts on the wire (net.h / sasyncd.h).</summary>
public enum RunState : uint
{
    /// <summary>INIT (0): carp has not decided yet (link state unknown or invalid); the node neither sends nor applies SAs.</summary>
    Init = 0,

    /// <summary>SLAVE (1): carp is BACKUP; the node takes SAs and flows from the master and keeps its IKE daemon passive.</summary>
    Slave = 1,

    /// <summary>MASTER (2): carp is MASTER; the node sends its SAs and flows to every peer and keeps its IKE daemon active.</summary>
    Master = 2,

    /// <summary>FAIL (3): the carp interface reports a state that is neither up nor down.</summary>
    Fail = 3,
}
