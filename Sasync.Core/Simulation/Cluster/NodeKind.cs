namespace Sasync.Core.Simulation.Cluster;

/// <summary>Which daemon a simulated node runs.</summary>
internal enum NodeKind
{
    /// <summary>sasyncd-cs: the node core and the session rules under test.</summary>
    SasyncdCs,

    /// <summary>A model of OpenBSD's sasyncd: the original's session rules over the same sync engine.</summary>
    Original,
}
