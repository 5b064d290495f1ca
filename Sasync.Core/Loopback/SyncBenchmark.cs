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
/// <param name="Nodes">Nodes in the cluster: a MASTER and the rest backups.</param>
/// <param name="PeakRssMegabytes">
/// The process's peak resident set (VmHWM, as getrusage's maximum) over the measured cluster's run, warm-up
/// included, read once the snapshots its failover rounds started have been sent: before the three-node rounds of
/// <see cref="FailoverUnderSnapshot"/>, which <see cref="WholeRunPeakRssMegabytes"/> covers too.
/// </param>
/// <param name="FailoverResync">After the failovers, what a failover's resync cost (<see cref="Loopback.FailoverResync"/>).</param>
/// <param name="FailoverUnderSnapshot">Failovers while a full snapshot is under way, on three nodes of their own after the others are gone.</param>
/// <param name="WholeRunPeakRssMegabytes">The same peak at the very end, after the three-node rounds (three kernels of <c>Sas</c> SAs and flows at once).</param>
/// <param name="FailoverMaxMilliseconds">The slowest of the switches <see cref="FailoverMilliseconds"/> is the median of (each comes right after the one before, while the digests it started are being made).</param>
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
    int Nodes,
    double PeakRssMegabytes,
    FailoverResync? FailoverResync = null,
    FailoverUnderSnapshot? FailoverUnderSnapshot = null,
    double WholeRunPeakRssMegabytes = 0,
    double FailoverMaxMilliseconds = 0);

/// <summary>What one phase of a benchmark cost the process.</summary>
/// <param name="CpuSeconds">Processor time of all threads; twice the wall time means both cores were busy.</param>
/// <param name="GcPauseSeconds">Time the GC held the managed threads.</param>
/// <param name="AllocatedMegabytes">Managed memory allocated.</param>
/// <param name="WallSeconds">How long the phase took.</param>
/// <param name="Messages">PF_KEY messages the phase carried from one kernel to another (for the per-message figures).</param>
/// <param name="DaemonAllocatedBytes">What the daemons' own code allocated (see <see cref="Hosting.DaemonAllocationMeter"/>): not the simulated kernels', nor the benchmark's.</param>
public sealed record PhaseCost(double CpuSeconds, double GcPauseSeconds, double AllocatedMegabytes, double WallSeconds = 0, long Messages = 0, long DaemonAllocatedBytes = 0)
{
    /// <summary>CPU seconds per message carried (0 without messages).</summary>
    public double CpuSecondsPerMessage => Messages == 0 ? 0 : CpuSeconds / Messages;

    /// <summary>Bytes the daemons' code allocated per message carried (0 without messages).</summary>
    public double DaemonBytesPerMessage => Messages == 0 ? 0 : (double)DaemonAllocatedBytes / Messages;

    /// <summary>GC pauses as a share of the phase's wall time, in percent.</summary>
    public double GcPausePercent => WallSeconds <= 0 ? 0 : 100 * GcPauseSeconds / WallSeconds;

    /// <summary>Starts measuring; the returned function gives the cost since then, for the messages the phase carried.</summary>
    public static Func<long, PhaseCost> Start()
    {
        using var process = Process.GetCurrentProcess();
        var wall = Stopwatch.StartNew();
        var cpu = process.TotalProcessorTime;
        var pause = GC.GetTotalPauseDuration();
        var allocated = GC.GetTotalAllocatedBytes();
        var daemon = Hosting.DaemonAllocationMeter.Total;
        return messages =>
        {
            using var now = Process.GetCurrentProcess();
            return new PhaseCost(
                (now.TotalProcessorTime - cpu).TotalSeconds,
                (GC.GetTotalPauseDuration() - pause).TotalSeconds,
                (GC.GetTotalAllocatedBytes() - allocated) / 1048576.0,
                wall.Elapsed.TotalSeconds,
                messages,
                Hosting.DaemonAllocationMeter.Total - daemon);
        };
    }
}

/// <summary>
/// A cluster over loopback (two nodes by default: a MASTER and a backup): live relay, snapshot to a rebooted
/// backup, undemote, failover and memory, with <c>N</c> SAs and flows.
/// </summary>
public static class SyncBenchmark
{
    /// <summary>The most nodes a run takes (127.0.0.1-8).</summary>
    public const int MaxNodes = 8;

    private const int FailoverRounds = 5;

    // The warm-up round's size: enough for the JIT to have tiered up the hot paths, as in a daemon that has run a while.
    private const int WarmUpSas = 20_000;

    // Longer than the runtime's 100 ms call-counting delay, after which it queues a batch of recompilations.
    private static readonly TimeSpan JitQuietTime = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxJitWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs it, after a smaller warm-up round whose figures are dropped.
    /// </summary>
    /// <returns>The figures, or a null result and the error when a step did not finish within <paramref name="stepTimeout"/>.</returns>
    public static Task<(SyncBenchmarkResult? Result, string? Error)> RunAsync(int sas, TimeSpan stepTimeout, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        RunAsync(sas, 2, stepTimeout, loggers, cancellationToken);

    /// <summary>
    /// Runs it with <paramref name="nodes"/> nodes (node 1 the MASTER, the others backups; node 2 is the one that
    /// reboots and takes over), after a smaller warm-up round whose figures are dropped.
    /// </summary>
    /// <remarks>
    /// <c>onPhase</c> is told "relay" and "relay-end" around the measured run's relay phase (not the warm-up's),
    /// and "snapshot" and "snapshot-end" around its snapshot, for a profiler to record one phase alone.
    /// </remarks>
    /// <returns>The figures, or a null result and the error when a step did not finish within <paramref name="stepTimeout"/>.</returns>
    public static async Task<(SyncBenchmarkResult? Result, string? Error)> RunAsync(int sas, int nodes, TimeSpan stepTimeout, ILoggerFactory loggers, CancellationToken cancellationToken, Action<string>? onPhase = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sas, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodes, MaxNodes);
        var warmUpSas = Math.Min(sas, WarmUpSas);
        var (_, error) = await RunOnceAsync(warmUpSas, nodes, stepTimeout, loggers, null, cancellationToken).ConfigureAwait(false);
        var (_, underSnapshotError) = error is null ? await FailoverUnderSnapshot.MeasureAsync(warmUpSas, stepTimeout, loggers, cancellationToken).ConfigureAwait(false) : default;
        if ((error ?? underSnapshotError) is { } warmUpError)
        {
            return (null, $"warm-up: {warmUpError}");
        }

        // The warm-up's garbage is not the measured run's, nor are the recompilations it queued.
        await CollectEverythingAsync().ConfigureAwait(false);
        await WaitForJitQuietAsync(cancellationToken).ConfigureAwait(false);
        var (result, runError) = await RunOnceAsync(sas, nodes, stepTimeout, loggers, onPhase, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return (null, runError);
        }

        // After every other figure is read, in a cluster of its own: its snapshots and third node change none of them.
        // The measured cluster's kernels are gone by then: collected first, they are not in the process's peak beside the new ones.
        await CollectEverythingAsync().ConfigureAwait(false);
        var (underSnapshot, measureError) = await FailoverUnderSnapshot.MeasureAsync(sas, stepTimeout, loggers, cancellationToken).ConfigureAwait(false);
        return underSnapshot is null ? (null, $"failover under snapshot: {measureError}") : (result with { FailoverUnderSnapshot = underSnapshot, WholeRunPeakRssMegabytes = WholeRunPeakRss() }, null);
    }

    private static double WholeRunPeakRss()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / 1048576.0;
    }

    // A full blocking compaction that also gives the freed memory back to the system (the GC keeps it otherwise):
    // between phases, when the cluster holds garbage a real one would not (a rebooted node's old kernel, a
    // finished round's nodes), so that it is not in the next phase's peak. The benchmark's own; no daemon calls it.
    private static async Task CollectEverythingAsync()
    {
        // Off the stack that got here: a continuation run inline from the old node's DisposeAsync still holds that node.
        await Task.Yield();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    // The tiered JIT recompiles the methods the warm-up called often on a background thread, in batches, after
    // the warm-up's last new method; without this wait that backlog (13 % of the relay phase's CPU in a perf
    // profile) ran during the measured relay, which a daemon that has run a while does not pay.
    private static async Task WaitForJitQuietAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        var quietSince = clock.Elapsed;
        while (clock.Elapsed - quietSince < JitQuietTime && clock.Elapsed < MaxJitWait)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != compiled)
            {
                (compiled, quietSince) = (now, clock.Elapsed);
            }
        }
    }

    private static async Task<(SyncBenchmarkResult? Result, string? Error)> RunOnceAsync(int sas, int nodes, TimeSpan stepTimeout, ILoggerFactory loggers, Action<string>? onPhase, CancellationToken cancellationToken)
    {
        var options = ClusterWorkload.ClusterOptions(nodes, sas);
        await using var cluster = await LoopbackCluster.StartAsync(options, loggers, cancellationToken).ConfigureAwait(false);
        var master = cluster[1];
        var slave = cluster[2];
        var backups = cluster.Nodes.Skip(1).ToList();
        async Task<bool> Wait(Func<ValueTask<bool>> condition) =>
            await ClusterWorkload.WaitUntilAsync(condition, stepTimeout, cancellationToken).ConfigureAwait(false);

        if (!await Wait(async () => (await master.Node!.GetStatusAsync(cancellationToken).ConfigureAwait(false)).Engine.Peers.All(p => p.Connected && p.PeerRunState == RunState.Slave)).ConfigureAwait(false))
        {
            return (null, $"the {nodes} nodes did not connect");
        }

        // Relay: ADDs as fast as the MASTER's kernel takes them, until every backup's kernel has them all.
        onPhase?.Invoke("relay");
        var clock = Stopwatch.StartNew();
        var relayCost = PhaseCost.Start();
        await ClusterWorkload.AddSasAsync(master, 0, sas, cancellationToken).ConfigureAwait(false);
        var inject = clock.Elapsed.TotalSeconds;
        if (!await Wait(() => ValueTask.FromResult(backups.All(b => b.Host.Kernel.SaCount >= sas))).ConfigureAwait(false))
        {
            return (null, $"relay: the backups have {string.Join(", ", backups.Select(b => b.Host.Kernel.SaCount))} of {sas} SAs");
        }

        var relay = clock.Elapsed.TotalSeconds;
        var relayCosts = relayCost(sas);
        onPhase?.Invoke("relay-end");
        await ClusterWorkload.AddFlowsAsync(master, 0, sas, cancellationToken).ConfigureAwait(false);
        if (!await Wait(() => ValueTask.FromResult(backups.All(b => b.Host.Kernel.FlowCount >= sas))).ConfigureAwait(false))
        {
            return (null, $"relay: the backups have {string.Join(", ", backups.Select(b => b.Host.Kernel.FlowCount))} of {sas} flows");
        }

        // Snapshot: one backup reboots empty and gets everything from the MASTER. Its old kernel is collected before
        // the boot, as a real reboot frees it; left to the GC, the old SADB and SPD were in the peak beside the new.
        await slave.PowerOffAsync().ConfigureAwait(false);
        await CollectEverythingAsync().ConfigureAwait(false);
        onPhase?.Invoke("snapshot");
        clock.Restart();
        var snapshotCost = PhaseCost.Start();
        await slave.StartAsync(cancellationToken).ConfigureAwait(false);
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
        var snapshotCosts = snapshotCost(2L * sas);
        onPhase?.Invoke("snapshot-end");
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
        var lastFailoverAt = DateTimeOffset.UtcNow;
        for (var round = 0; round < FailoverRounds; round++)
        {
            var (takeover, error) = await ClusterWorkload.FailOverAsync(from, to, stepTimeout, cancellationToken).ConfigureAwait(false);
            if (takeover is not { } done)
            {
                return (null, $"failover: {error}");
            }

            lastFailoverAt = done.StartedAt;
            failovers.Add(done.Milliseconds);
            (from, to) = (to, from);
        }

        // As read before this figure existed: the last takeover's snapshots may still be under way.
        double peakBeforeSettled;
        using (var early = Process.GetCurrentProcess())
        {
            peakBeforeSettled = early.PeakWorkingSet64 / 1048576.0;
        }

        // Each takeover sends a whole snapshot to every backup: the peak is read once the last ones are out.
        var lastMaster = from;
        if (!await Wait(async () => (await lastMaster.Node!.GetStatusAsync(cancellationToken).ConfigureAwait(false)).Engine.Peers
                .All(p => p.Connected && !p.SendingSnapshot && p.LastSnapshotSentAt >= lastFailoverAt)).ConfigureAwait(false))
        {
            return (null, $"failover: node{lastMaster.Index} did not finish its snapshots");
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
            peakBeforeSettled,
            process.WorkingSet64 / 1048576.0,
            relayCosts,
            snapshotCosts,
            nodes,
            process.PeakWorkingSet64 / 1048576.0,
            resync,
            FailoverMaxMilliseconds: failovers[^1]), null);
    }

    private sealed record EngineStatusView(DateTimeOffset ReleasedAt, DateTimeOffset EndSnapshotAt);
}
