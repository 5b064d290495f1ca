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
internal sealed record SimulationResult(int Seed, IReadOnlyList<string> Scenario, IReadOnlyList<SimulationFailure> Failures, IReadOnlyList<string> Trace, long Steps)
{
    public bool Passed => Failures.Count == 0;
}
