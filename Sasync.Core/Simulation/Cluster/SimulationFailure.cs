namespace Sasync.Core.Simulation.Cluster;

/// <summary>An invariant that did not hold at the end of a run, with what was seen.</summary>
internal sealed record SimulationFailure(string Invariant, string Detail)
{
    public override string ToString() => $"{Invariant}: {Detail}";
}

/// <summary>The outcome of one seed.</summary>
/// <param name="Seed">The seed; the same seed gives the same run.</param>
/// <param name="Scenario">The cluster and the faults it got, one line each.</param>
/// <param name="Failures">Empty when every invariant held.</param>
/// <param name="Trace">Every step, when the run was traced.</param>
/// <param name="Steps">Scheduler steps the run took.</param>
/// <param name="Resyncs">How snapshots by digest went, over every daemon of the run.</param>
internal sealed record SimulationResult(int Seed, IReadOnlyList<string> Scenario, IReadOnlyList<SimulationFailure> Failures, IReadOnlyList<string> Trace, long Steps, ResyncTally Resyncs = default)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>How the run's snapshots between sasyncd-cs nodes went: ENDSNAP alone on equal digests, or in full on different ones.</summary>
internal readonly record struct ResyncTally(long SkippedByDigest, long DigestMismatches)
{
    public static ResyncTally operator +(ResyncTally a, ResyncTally b) => new(a.SkippedByDigest + b.SkippedByDigest, a.DigestMismatches + b.DigestMismatches);

    public static ResyncTally Of(Sync.EngineStatus? status) =>
        status is null ? default : new(status.Peers.Sum(p => p.SnapshotsSkippedByDigest), status.Peers.Sum(p => p.DigestMismatches));
}
