namespace Sasync.Core.Simulation.Cluster;

/// <summary>What every part of one simulated run shares: the clock, the one Random, the network and the trace.</summary>
internal sealed record ClusterContext(
    VirtualScheduler Scheduler,
    VirtualTimeProvider Time,
    Random Random,
    SimulatedNetwork Network,
    SimulationTrace Trace,
    ClusterObservations Observations,
    SessionRulesKind SessionRules)
{
    /// <summary>A fresh run: the clock at zero and one <see cref="System.Random"/> seeded with <paramref name="seed"/>.</summary>
    public static ClusterContext Create(int seed, bool trace, SessionRulesKind rules, int stormLimit)
    {
        var scheduler = new VirtualScheduler();
        var random = new Random(seed);
        var log = new SimulationTrace(scheduler, trace);
        return new ClusterContext(
            scheduler,
            new VirtualTimeProvider(scheduler),
            random,
            new SimulatedNetwork(scheduler, random, log),
            log,
            new ClusterObservations(scheduler, stormLimit),
            rules);
    }
}
