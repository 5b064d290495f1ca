namespace Sasync.Core.Simulation.Cluster;

/// <summary>What every part of one simulated run shares: the clock, the one Random, the network and the trace.</summary>
public sealed record ClusterContext(
    VirtualScheduler Scheduler,
    VirtualTimeProvider Time,
    Random Random,
    SimulatedNetwork Network,
    SimulationTrace Trace,
    ClusterObservations Observations,
    ISessionRules SessionRules);
