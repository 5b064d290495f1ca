using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sasync.Core.Platform;

namespace Sasync.Core.Loopback;

/// <summary>What the sync benchmark measured; times as seen from outside the nodes (polling, ~1 ms).</summary>
/// <param name="Sas">SAs (and as many flows) in play.</param>
/// <param name="RelaySeconds">From the first live ADD on the MASTER to the slave's kernel holding all of them.</param>
/// <param name="RelayPerSecond">Live PF_KEY ADDs per second, MASTER's IKE socket to the slave's kernel.</param>
/// <param name="InjectSeconds">How long the MASTER's kernel took to accept the ADDs (the relay cannot be faster).</param>
/// <param name="SnapshotSeconds">From the slave's daemon (re)start to its empty kernel holding every SA and flow.</param>
/// <param name="SnapshotSasSeconds">The same until it holds every SA (the snapshot sends the SAs first, then the flows).</param>
/// <param name="FailoverMilliseconds">Median, over several switches, from carp MASTER on a backup to its IKE daemon being told "active".</param>
/// <param name="UndemoteMilliseconds">From the end of the snapshot (the benchmark sees the joining kernel hold all of it) to the undemote; slightly negative when the undemote came before the benchmark's poll saw the full kernel.</param>
/// <param name="UndemoteAfterEndSnapshotMilliseconds">From the joining node's ENDSNAP to its undemote (both the engine's times); includes draining the writes queued for its kernel.</param>
/// <param name="RssMegabytes">Peak working set of the process.</param>
/// <param name="RssAfterMegabytes">Working set at the end, with both kernels full.</param>
/// <param name="Relay">CPU and GC cost of the relay phase (both nodes and both kernels share the process).</param>
/// <param name="Snapshot">CPU and GC cost of the snapshot phase.</param>
/// <param name="FailoverResync">After the failovers, what a failover's resync cost (<see cref="Loopback.FailoverResync"/>).</param>
public sealed record SyncBenchmarkResult(
    int Sas,
    double RelaySeconds,
    double RelayPerSecond,
    double InjectSeconds,
    double SnapshotSeconds,
    double SnapshotSasSeconds,
    double FailoverMilliseconds,
    double UndemoteMilliseconds,
    double UndemoteAfterEndSnapshotMilliseconds,
    double RssMegabytes,
    double RssAfterMegabytes,
    PhaseCost Relay,
    PhaseCost Snapshot,
    FailoverResync? FailoverResync = null);

/// <summary>What one phase of a benchmark cost the process.</summary>
/// <param name="CpuSeconds">Processor time of all threads; twice the wall time means both cores were busy.</param>
/// <param name="GcPauseSeconds">Time the GC held the managed threads.</param>
/// <param name="AllocatedMegabytes">Managed memory allocated.</param>
public sealed record PhaseCost(double CpuSeconds, double GcPauseSeconds, double AllocatedMegabytes)
{
    /// <summary>Starts measuring; the returned function gives the cost since then.</summary>
    public static Func<PhaseCost> Start()
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var pause = GC.GetTotalPauseDuration();
        var allocated = GC.GetTotalAllocatedBytes();
        return () =>
        {
            using var now = Process.GetCurrentProcess();
            return new PhaseCost(
                (now.TotalProcessorTime - cpu).TotalSeconds,
                (GC.GetTotalPauseDuration() - pause).TotalSeconds,
                (GC.GetTotalAllocatedBytes() - allocated) / 1048576.0);
        };
    }
}

/// <summary>
/// Two nodes over loopback: live relay, snapshot to a rebooted peer, undemote, failover and memory,
/// with <c>N</c> SAs and flows.
/// </summary>
public static class SyncBenchmark
{
    private const int FailoverRounds = 5;

    // The warm-up round's size: enough for the JIT to have tiered up the hot paths, as in a daemon that has run a while.
    private const int WarmUpSas = 20_000;

    /// <summary>
    /// Runs it, after a smaller warm-up round whose figures are dropped.
    /// </summary>
    /// <returns>The figures, or a null result and the error when a step did not finish within <paramref name="stepTimeout"/>.</returns>
    public static async Task<(SyncBenchmarkResult? Result, string? Error)> RunAsync(int sas, TimeSpan stepTimeout, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sas, 1);
        var (_, error) = await RunOnceAsync(Math.Min(sas, WarmUpSas), stepTimeout, loggers, cancellationToken).ConfigureAwait(false);
        return error is null
            ? await RunOnceAsync(sas, stepTimeout, loggers, cancellationToken).ConfigureAwait(false)
            : (null, $"warm-up: {error}");
    }

    private static async Task<(SyncBenchmarkResult? Result, string? Error)> RunOnceAsync(int sas, TimeSpan stepTimeout, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var options = ClusterWorkload.ClusterOptions(2, sas);
        await using var cluster = await LoopbackCluster.StartAsync(options, loggers, cancellationToken).ConfigureAwait(false);
        var master = cluster[1];
        var slave = cluster[2];
        async Task<bool> Wait(Func<ValueTask<bool>> condition) =>
            await ClusterWorkload.WaitUntilAsync(condition, stepTimeout, cancellationToken).ConfigureAwait(false);

        if (!await Wait(async () => (await master.Node!.GetStatusAsync(cancellationToken).ConfigureAwait(false)).Engine.Peers.All(p => p.Connected && p.PeerRunState == RunState.Slave)).ConfigureAwait(false))
        {
            return (null, "the two nodes did not connect");
        }

        // Relay: ADDs as fast as the MASTER's kernel takes them, until the slave's kernel has them all.
        var clock = Stopwatch.StartNew();
        var relayCost = PhaseCost.Start();
        await ClusterWorkload.AddSasAsync(master, 0, sas, cancellationToken).ConfigureAwait(false);
        var inject = clock.Elapsed.TotalSeconds;
        if (!await Wait(() => ValueTask.FromResult(slave.Host.Kernel.SaCount >= sas)).ConfigureAwait(false))
        {
            return (null, $"relay: the slave has {slave.Host.Kernel.SaCount} of {sas} SAs");
        }

        var relay = clock.Elapsed.TotalSeconds;
        var relayCosts = relayCost();
        await ClusterWorkload.AddFlowsAsync(master, 0, sas, cancellationToken).ConfigureAwait(false);
        if (!await Wait(() => ValueTask.FromResult(slave.Host.Kernel.FlowCount >= sas)).ConfigureAwait(false))
        {
            return (null, $"relay: the slave has {slave.Host.Kernel.FlowCount} of {sas} flows");
        }

        // Snapshot: the slave reboots empty and gets everything from the MASTER.
        await slave.StopAsync().ConfigureAwait(false);
        clock.Restart();
        var snapshotCost = PhaseCost.Start();
        await slave.RebootAsync(cancellationToken).ConfigureAwait(false);
        double? sasAt = null;
        if (!await Wait(() =>
            {
                var sasIn = slave.Host.Kernel.SaCount >= sas;
                sasAt ??= sasIn ? clock.Elapsed.TotalSeconds : null;
                return ValueTask.FromResult(sasIn && slave.Host.Kernel.FlowCount >= sas);
            }).ConfigureAwait(false))
        {
            return (null, $"snapshot: the slave has {slave.Host.Kernel.SaCount} SAs and {slave.Host.Kernel.FlowCount} flows of {sas}");
        }

        var snapshot = clock.Elapsed.TotalSeconds;
        var snapshotCosts = snapshotCost();
        var kernelFullAt = DateTimeOffset.UtcNow;
        EngineStatusView? released = null;
        if (!await Wait(async () =>
            {
                var status = (await slave.Node!.GetStatusAsync(cancellationToken).ConfigureAwait(false)).Engine;
                var endSnapshot = status.Peers.Select(p => p.LastSnapshotReceivedAt).FirstOrDefault(t => t is not null);
                if (status.Demotion.ReleasedAt is { } at && endSnapshot is { } end)
                {
                    released = new EngineStatusView(at, end);
                    return true;
                }

                return false;
            }).ConfigureAwait(false))
        {
            return (null, "undemote: the slave still holds its demotion");
        }

        // Failover: carp MASTER on the backup until its IKE daemon is told "active", back and forth.
        var failovers = new List<double>();
        var (from, to) = (master, slave);
        for (var round = 0; round < FailoverRounds; round++)
        {
            from.Host.Carp.Set(LinkState.Down);
            if (!await Wait(() => ValueTask.FromResult(from.Host.DaemonControl.IsActive == false)).ConfigureAwait(false))
            {
                return (null, $"failover: node{from.Index} did not go passive");
            }

            var calls = to.Host.DaemonControl.Calls.Count;
            var timer = Stopwatch.StartNew();
            to.Host.Carp.Set(LinkState.Up);
            // Spin (yielding) rather than sleep: the interval is well under a timer tick.
            while (!(to.Host.DaemonControl.Calls.Count > calls && to.Host.DaemonControl.IsActive == true))
            {
                if (timer.Elapsed > stepTimeout)
                {
                    return (null, $"failover: node{to.Index} did not go active");
                }

                Thread.Yield();
            }

            failovers.Add(timer.Elapsed.TotalMilliseconds);
            (from, to) = (to, from);
        }

        // Resync after a failover (both kernels hold the same SAs): by digest, ENDSNAP alone.
        var (resync, resyncError) = await FailoverResync.MeasureAsync(from, to, stepTimeout, cancellationToken).ConfigureAwait(false);
        if (resync is null)
        {
            return (null, $"failover resync: {resyncError}");
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        failovers.Sort();
        return (new SyncBenchmarkResult(
            sas,
            relay,
            sas / relay,
            inject,
            snapshot,
            sasAt!.Value,
            failovers[failovers.Count / 2],
            (released!.ReleasedAt - kernelFullAt).TotalMilliseconds,
            (released.ReleasedAt - released.EndSnapshotAt).TotalMilliseconds,
            process.PeakWorkingSet64 / 1048576.0,
            process.WorkingSet64 / 1048576.0,
            relayCosts,
            snapshotCosts,
            resync), null);
    }

    private sealed record EngineStatusView(DateTimeOffset ReleasedAt, DateTimeOffset EndSnapshotAt);
}
