using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sasync.Core.Platform;

namespace Sasync.Core.Loopback;

/// <summary>What a <see cref="DemoScenario"/> runs.</summary>
public sealed record DemoOptions
{
    /// <summary>How many nodes the cluster has, at least 2.</summary>
    public int Nodes { get; init; } = 2;

    /// <summary>The tunnels (one ESP SA and one flow each) the first master's IKE daemon sets up.</summary>
    public int Sas { get; init; } = 100;

    /// <summary>How long each step may take before the demo gives up on it.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>One step of the demo: what happened, on which node, and how long it took.</summary>
/// <param name="Node">The node the step concerns ("node1"), or "cluster".</param>
/// <param name="Title">What happened, a few words.</param>
/// <param name="Detail">The figures behind it.</param>
/// <param name="Took">How long the step took; null when it is only an event.</param>
/// <param name="Ok">False when the step timed out or went wrong.</param>
public sealed record DemoStep(string Node, string Title, string Detail, TimeSpan? Took, bool Ok = true);

/// <summary>How the demo ended: converged when every node holds the same SAs and flows.</summary>
public sealed record DemoOutcome(bool Converged, int Sas, int Flows, IReadOnlyList<string> Differences, TimeSpan Elapsed);

/// <summary>
/// The life of an HA pair (or more) in one process: replication, a failover, new tunnels on the new
/// MASTER, and the old MASTER rebooting empty and getting a snapshot; then every SADB and SPD compared.
/// </summary>
public static class DemoScenario
{
    /// <summary>Starts a loopback cluster, runs the steps, reporting each to <paramref name="report"/>, and compares the kernels.</summary>
    /// <param name="options">The cluster size, the tunnel count and the step timeout.</param>
    /// <param name="report">Called once per step, on the demo's thread, as the step ends.</param>
    /// <param name="loggers">Where the nodes log.</param>
    /// <param name="cancellationToken">Stops the demo; the cluster is shut down either way.</param>
    /// <returns>Whether every node ended with the same SAs and flows, and what differs when not.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 nodes or fewer than 1 SA.</exception>
    public static async Task<DemoOutcome> RunAsync(DemoOptions options, Action<DemoStep> report, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Nodes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Sas, 1);
        var total = Stopwatch.StartNew();
        var later = Math.Max(1, options.Sas / 10);
        var clusterOptions = ClusterWorkload.ClusterOptions(options.Nodes, options.Sas + later);

        var clock = Stopwatch.StartNew();
        await using var cluster = await LoopbackCluster.StartAsync(clusterOptions, loggers, cancellationToken).ConfigureAwait(false);
        var run = new Run(cluster, options, report, cancellationToken);
        var ok = await run.StepsAsync(clock, later).ConfigureAwait(false);

        // Whatever happened, compare what the kernels hold.
        var kernels = cluster.Nodes.Select(n => (Name(n), n.Host.Kernel)).ToList();
        var differences = KernelComparison.Differences(kernels);
        var expected = ok ? options.Sas + later : -1;
        var counts = cluster.Nodes.Select(n => (n.Host.Kernel.SaCount, n.Host.Kernel.FlowCount)).Distinct().ToList();
        if (differences.Count == 0 && expected >= 0 && counts.Any(c => c.SaCount != expected || c.FlowCount != expected))
        {
            differences = [$"every node holds the same, but not the {expected} SAs and flows expected: {string.Join(", ", counts)}"];
        }

        if (!ok && differences.Count == 0)
        {
            differences = ["a step did not complete (see above)"];
        }

        return new DemoOutcome(differences.Count == 0, cluster[1].Host.Kernel.SaCount, cluster[1].Host.Kernel.FlowCount, differences, total.Elapsed);
    }

    private static string Name(LoopbackClusterNode node) => $"node{node.Index}";

    private sealed class Run(LoopbackCluster cluster, DemoOptions options, Action<DemoStep> report, CancellationToken cancellationToken)
    {
        public async Task<bool> StepsAsync(Stopwatch clock, int later)
        {
            var n = options.Nodes;
            var first = cluster[1];
            var second = cluster[2];

            // 1. Everyone connected, node1 MASTER with its IKE daemon active.
            var up = await WaitAsync(async () =>
                first.Host.DaemonControl.IsActive == true
                && cluster.Nodes.Skip(1).All(b => b.Host.DaemonControl.IsActive == false)
                && (await first.Node!.GetStatusAsync(cancellationToken).ConfigureAwait(false)).Engine.Peers.All(p => p.Connected && p.PeerRunState is not null)).ConfigureAwait(false);
            report(new DemoStep("cluster", up ? "up" : "did not come up", $"{n} nodes on 127.0.0.1-{n}, all peers connected", clock.Elapsed, up));
            report(new DemoStep("node1", "MASTER", "carp MASTER, isakmpd active", null));
            for (var i = 2; i <= n; i++)
            {
                report(new DemoStep($"node{i}", "BACKUP", "carp BACKUP, isakmpd passive", null));
            }

            if (!up)
            {
                return false;
            }

            // 2. The IKE daemon on node1 sets up tunnels; every backup gets them live.
            clock.Restart();
            await ClusterWorkload.AddSasAsync(first, 0, options.Sas, cancellationToken).ConfigureAwait(false);
            await ClusterWorkload.AddFlowsAsync(first, 0, options.Sas, cancellationToken).ConfigureAwait(false);
            report(new DemoStep("node1", "IKE adds", $"{options.Sas} SAs + {options.Sas} flows", clock.Elapsed));
            if (!await ReplicatedAsync(cluster.Nodes.Skip(1), options.Sas, clock, "replicated").ConfigureAwait(false))
            {
                return false;
            }

            // 3. node1's carp interface fails: node2 becomes MASTER and takes the IKE role over.
            first.Host.Carp.Set(LinkState.Down);
            clock.Restart();
            second.Host.Carp.Set(LinkState.Up);
            report(new DemoStep("node1", "carp BACKUP", "link lost", null));
            report(new DemoStep("node2", "carp MASTER", "takes over", null));
            var active = await WaitAsync(() => ValueTask.FromResult(second.Host.DaemonControl.IsActive == true)).ConfigureAwait(false);
            report(new DemoStep("node2", active ? "isakmpd active" : "isakmpd NOT active", "after carp MASTER", clock.Elapsed, active));
            var passive = await WaitAsync(() => ValueTask.FromResult(first.Host.DaemonControl.IsActive == false)).ConfigureAwait(false);
            report(new DemoStep("node1", passive ? "isakmpd passive" : "isakmpd NOT passive", "after carp BACKUP", clock.Elapsed, passive));
            var master = await WaitAsync(async () => (await second.Node!.GetStatusAsync(cancellationToken).ConfigureAwait(false)).Engine.RunState == RunState.Master).ConfigureAwait(false);
            report(new DemoStep("node2", master ? "sync MASTER" : "sync NOT MASTER", "relays its kernel to the peers", clock.Elapsed, master));
            if (!(active && passive && master))
            {
                return false;
            }

            // 4. node1 goes down altogether; node2's IKE daemon keeps setting up tunnels.
            await first.StopAsync().ConfigureAwait(false);
            report(new DemoStep("node1", "down", "daemon and host stopped", null));
            clock.Restart();
            await ClusterWorkload.AddSasAsync(second, options.Sas, later, cancellationToken).ConfigureAwait(false);
            await ClusterWorkload.AddFlowsAsync(second, options.Sas, later, cancellationToken).ConfigureAwait(false);
            report(new DemoStep("node2", "IKE adds", $"{later} SAs + {later} flows", clock.Elapsed));
            if (!await ReplicatedAsync(cluster.Nodes.Skip(2), options.Sas + later, clock, "replicated").ConfigureAwait(false))
            {
                return false;
            }

            // 5. node1 boots with an empty kernel, demoted, and catches up from node2's snapshot.
            clock.Restart();
            await first.RebootAsync(cancellationToken).ConfigureAwait(false);
            report(new DemoStep("node1", "rebooted", $"empty kernel, carp BACKUP, demote counter {first.Host.CarpGroup.DemoteCounter}", clock.Elapsed));
            if (!await ReplicatedAsync([first], options.Sas + later, clock, "snapshot").ConfigureAwait(false))
            {
                return false;
            }

            var released = await WaitAsync(async () => !(await first.Node!.GetStatusAsync(cancellationToken).ConfigureAwait(false)).Engine.Demotion.Held).ConfigureAwait(false);
            var reason = released ? (await first.Node!.GetStatusAsync(cancellationToken).ConfigureAwait(false)).Engine.Demotion.ReleaseReason : null;
            report(new DemoStep("node1", released ? "undemoted" : "still demoted", released ? $"own hold released: {reason}" : "", clock.Elapsed, released));
            return released;
        }

        private async Task<bool> ReplicatedAsync(IEnumerable<LoopbackClusterNode> nodes, int count, Stopwatch clock, string title)
        {
            var waiting = nodes.ToList();
            var deadline = clock.Elapsed + options.StepTimeout;
            while (waiting.Count > 0)
            {
                foreach (var node in waiting.Where(Has).ToList())
                {
                    waiting.Remove(node);
                    report(new DemoStep(Name(node), title, $"{count}/{count} SAs, {count}/{count} flows", clock.Elapsed));
                }

                if (waiting.Count == 0)
                {
                    break;
                }

                if (clock.Elapsed > deadline)
                {
                    foreach (var node in waiting)
                    {
                        report(new DemoStep(Name(node), $"{title} timed out", $"{node.Host.Kernel.SaCount}/{count} SAs, {node.Host.Kernel.FlowCount}/{count} flows", clock.Elapsed, false));
                    }

                    return false;
                }

                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }

            return true;

            bool Has(LoopbackClusterNode node) => node.Host.Kernel.SaCount >= count && node.Host.Kernel.FlowCount >= count;
        }

        private Task<bool> WaitAsync(Func<ValueTask<bool>> condition) =>
            ClusterWorkload.WaitUntilAsync(condition, options.StepTimeout, cancellationToken);
    }
}
