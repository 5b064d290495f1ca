namespace Sasync.Core.Simulation.Cluster;

/// <summary>How one simulated run is made and checked.</summary>
internal sealed record SimulationOptions
{
    /// <summary>Record every step (for a replay); off, the trace costs nothing.</summary>
    public bool Trace { get; init; }

    /// <summary>The session rules the sasyncd-cs nodes use.</summary>
    public SessionRulesKind SessionRules { get; init; } = SessionRulesKind.Current;

    /// <summary>
    /// Sessions one node may have with one peer in any minute. A fault can cost a session, and a
    /// failing one is retried with backoff; hundreds mean a reconnect storm.
    /// </summary>
    public int MaxSessionsPerPeerPerMinute { get; init; } = 30;

    /// <summary>Scheduler steps after which a run counts as running away.</summary>
    public long MaxSteps { get; init; } = 3_000_000;

    /// <summary>Trace lines shown with a failure.</summary>
    public int FailureTraceLines { get; init; } = 40;
}
