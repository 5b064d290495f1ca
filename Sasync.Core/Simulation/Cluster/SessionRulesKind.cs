namespace Sasync.Core.Simulation.Cluster;

/// <summary>Which session rules the sasyncd-cs nodes of a run use.</summary>
public enum SessionRulesKind
{
    /// <summary>The pure <see cref="Sessions.PeerSessionRules"/>.</summary>
    Current,

    /// <summary>The rules before issue 10 (kept in the simulator), to show what they got wrong.</summary>
    Legacy,
}
