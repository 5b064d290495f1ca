namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// The decisions of a peer-session layer that the simulator plugs into its in-memory shell: which
/// of two connections with one peer carries the stream, and how long to wait before the next dial.
/// </summary>
internal interface ISessionRules
{
    /// <summary>Makes the state kept for one peer (backoff and the like).</summary>
    ISessionRuleState CreateState(string peer);
}

/// <summary>One peer's session decisions.</summary>
internal interface ISessionRuleState
{
    /// <summary>True when <paramref name="incoming"/> should replace the <paramref name="existing"/> session.</summary>
    bool NewReplacesExisting(SessionFacts existing, SessionFacts incoming, DateTimeOffset now);

    /// <summary>A session came up.</summary>
    void SessionUp(DateTimeOffset now);

    /// <summary>The delay before the next dial after a failed one.</summary>
    TimeSpan DialFailed(DateTimeOffset now);

    /// <summary>The delay before the next dial after a session ended (<paramref name="routine"/>: no fault).</summary>
    TimeSpan SessionEnded(DateTimeOffset now, bool routine, bool usefulWorkDone);

    /// <summary>The node asked to dial now (carp change, start): forget the backoff.</summary>
    void DialRequested();
}

/// <summary>What a rule may know of one connection.</summary>
internal sealed record SessionFacts(string Dialler, bool Outbound, DateTimeOffset OpenedAt, bool HandshakeDone);
