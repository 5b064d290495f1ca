using Sasync.Core.Platform;
using Sasync.Core.Sync;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// Runs one seed: the scenario's faults, then the settle phase (everything healed, keys equal, one
/// MASTER), the checks, a planned failover to another node and the checks again. Invariants: every
/// node's SADB and SPD equal the MASTER's; the new MASTER lost none of the SAs the old one held;
/// sessions per peer per minute stay bounded; exactly the MASTER's IKE daemon is active; every
/// demotion was given back; the sync engine never failed.
/// </summary>
internal static class ClusterSimulation
{
    private static readonly TimeSpan IkeQuiet = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan FirstCheck = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan FailoverCheck = TimeSpan.FromSeconds(30);

    public static SimulationResult Run(int seed, SimulationOptions? options = null)
    {
        options ??= new SimulationOptions();
        var result = RunOnce(seed, options, options.Trace);
        if (result.Passed || options.Trace)
        {
            return result;
        }

        // Same seed, same run: replay it traced to show how it failed.
        var traced = RunOnce(seed, options, trace: true);
        return result with { Trace = traced.Trace.Count > options.FailureTraceLines ? traced.Trace.Skip(traced.Trace.Count - options.FailureTraceLines).ToList() : traced.Trace };
    }

    private static SimulationResult RunOnce(int seed, SimulationOptions options, bool trace)
    {
        var context = ClusterContext.Create(seed, trace, options.SessionRules, options.MaxSessionsPerPeerPerMinute * 10);
        var scheduler = context.Scheduler;
        var random = context.Random;
        var log = context.Trace;
        var scenario = new ClusterScenario(context);
        scenario.Schedule();
        var failures = new List<SimulationFailure>();

        if (!Advance(context, scenario.FaultPhase, options, failures))
        {
            return Result(seed, scenario, failures, log, scheduler);
        }

        // Settle: heal everything, equal keys, every daemon running, one MASTER.
        var master = scenario.Nodes[random.Next(scenario.Nodes.Length)];
        log.Add("settle", $"all healed; {master.Name} is to be MASTER");
        context.Network.HealAll();
        foreach (var node in scenario.Nodes)
        {
            node.Resume();
            if (!node.Key.Equals(scenario.Key))
            {
                node.ChangeKey(scenario.Key);
            }
        }

        foreach (var node in scenario.Nodes.Where(n => n != master))
        {
            node.SetCarp(LinkState.Down);
        }

        master.SetCarp(LinkState.Up);
        var settleStart = scheduler.Elapsed;
        if (!Advance(context, settleStart + IkeQuiet, options, failures))
        {
            return Result(seed, scenario, failures, log, scheduler);
        }

        foreach (var ike in scenario.Ikes)
        {
            ike.Working = false;
        }

        if (!Advance(context, settleStart + FirstCheck, options, failures))
        {
            return Result(seed, scenario, failures, log, scheduler);
        }

        Check(scenario, master, "after settling", failures, context.Observations, options);
        if (failures.Count == 0)
        {
            // A planned failover: the next MASTER must hold everything the last one did.
            var heir = scenario.Nodes.Where(n => n != master).ElementAt(random.Next(scenario.Nodes.Length - 1));
            var held = SaKeys(master);
            log.Add("settle", $"failover {master.Name} -> {heir.Name} with {held.Count} SAs");
            heir.SetCarp(LinkState.Up);
            master.SetCarp(LinkState.Down);
            if (Advance(context, scheduler.Elapsed + FailoverCheck, options, failures))
            {
                var lost = held.Except(SaKeys(heir)).Order(StringComparer.Ordinal).ToList();
                if (lost.Count > 0)
                {
                    failures.Add(new SimulationFailure("no SA lost", $"{heir.Name} took over without {lost.Count} of the {held.Count} SAs {master.Name} held, e.g. {string.Join("; ", lost.Take(3))}"));
                }

                Check(scenario, heir, "after the failover", failures, context.Observations, options);
            }
        }

        return Result(seed, scenario, failures, log, scheduler);
    }

    private static bool Advance(ClusterContext context, TimeSpan until, SimulationOptions options, List<SimulationFailure> failures)
    {
        // In slices, so that a reconnect storm stops the run early instead of running for long.
        while (context.Scheduler.Elapsed < until)
        {
            var next = context.Scheduler.Elapsed + TimeSpan.FromSeconds(1);
            if (!context.Scheduler.RunUntil(next < until ? next : until, options.MaxSteps))
            {
                failures.Add(new SimulationFailure("bounded work", $"more than {options.MaxSteps} steps by {context.Scheduler.Elapsed.TotalSeconds:0.###} s"));
                return false;
            }

            if (context.Observations.Storm is { } storm)
            {
                failures.Add(new SimulationFailure("sessions per peer per minute", storm));
                return false;
            }
        }

        return true;
    }

    private static void Check(ClusterScenario scenario, ClusterNode master, string when, List<SimulationFailure> failures, ClusterObservations observations, SimulationOptions options)
    {
        foreach (var node in scenario.Nodes.Where(n => !n.Running || n.Paused))
        {
            failures.Add(new SimulationFailure("every daemon running", $"{when}: {node.Name} is {(node.Paused ? "paused" : "not running")}"));
        }

        var masterSas = SaKeys(master);
        var masterFlows = FlowKeys(master);
        foreach (var node in scenario.Nodes.Where(n => n != master))
        {
            var before = failures.Count;
            Compare(failures, when, "SADB", master, masterSas, node, SaKeys(node));
            Compare(failures, when, "SPD", master, masterFlows, node, FlowKeys(node));
            if (failures.Count == before && ContentDigest(node) != ContentDigest(master))
            {
                // The same SAs and flows by key, but not the same keys, lifetimes or addresses.
                failures.Add(new SimulationFailure("SADB equal to the MASTER's", $"{when}: {node.Name} holds the same SAs and flows as {master.Name} (MASTER) by key, with other contents"));
            }
        }

        foreach (var node in scenario.Nodes)
        {
            var active = node.Host.DaemonControl.IsActive;
            if (node == master ? active != true : active == true)
            {
                failures.Add(new SimulationFailure("one IKE daemon active, the MASTER's", $"{when}: {node.Name}'s isakmpd is {(active is null ? "never told" : active.Value ? "active" : "passive")} while {master.Name} is MASTER"));
            }

            var counter = node.Host.CarpGroup.Get(ClusterNode.CarpGroup);
            var held = node.Status?.Demotion.Held ?? false;
            if (counter != 0 || held)
            {
                failures.Add(new SimulationFailure("demotion released", $"{when}: {node.Name} demote counter {counter}{(held ? ", the engine still holds its demotion" : "")}"));
            }

            if (node.Status is { } status && status.RunState != (node == master ? RunState.Master : RunState.Slave))
            {
                failures.Add(new SimulationFailure("run state follows carp", $"{when}: {node.Name} is {status.RunState}"));
            }
        }

        var (most, who, peer) = observations.MostSessionsPerMinute();
        if (most > options.MaxSessionsPerPeerPerMinute && !failures.Any(f => f.Invariant.StartsWith("sessions", StringComparison.Ordinal)))
        {
            failures.Add(new SimulationFailure("sessions per peer per minute", $"{who} had {most} sessions with {peer} within one minute (at most {options.MaxSessionsPerPeerPerMinute})"));
        }

        if (observations.EngineFailures.Count > 0)
        {
            failures.Add(new SimulationFailure("the engine never fails", observations.EngineFailures[0]));
        }
    }

    private static void Compare(List<SimulationFailure> failures, string when, string table, ClusterNode master, HashSet<string> expected, ClusterNode node, HashSet<string> actual)
    {
        var missing = expected.Except(actual).Order(StringComparer.Ordinal).ToList();
        var extra = actual.Except(expected).Order(StringComparer.Ordinal).ToList();
        if (missing.Count + extra.Count == 0)
        {
            return;
        }

        failures.Add(new SimulationFailure($"{table} equal to the MASTER's", $"{when}: {node.Name} has {actual.Count}, {master.Name} (MASTER) {expected.Count}; missing {missing.Count}{Sample(missing)}, extra {extra.Count}{Sample(extra)}"));
    }

    private static string Sample(List<string> items) => items.Count == 0 ? "" : $" (e.g. {string.Join("; ", items.Take(2))})";

    private static HashSet<string> SaKeys(ClusterNode node) =>
        [.. node.Host.Kernel.Sas.Select(sa => $"{sa.SaType} spi 0x{sa.Spi:x8} dst {sa.Destination}")];

    private static Sync.Digest.SnapshotDigest? ContentDigest(ClusterNode node) =>
        Sync.Digest.KernelDigest.TryCompute(node.Host.Kernel.DumpSadb(), node.Host.Kernel.DumpSpd(), null, out var digest, out _) ? digest : null;

    private static HashSet<string> FlowKeys(ClusterNode node) => [.. node.Host.Kernel.Flows.Select(flow => flow.ToString())];

    private static SimulationResult Result(int seed, ClusterScenario scenario, List<SimulationFailure> failures, SimulationTrace trace, VirtualScheduler scheduler) =>
        new(seed, scenario.Description, failures, trace.Lines, scheduler.Executed, scenario.Nodes.Aggregate(default(ResyncTally), (sum, node) => sum + node.Resyncs));
}
