using Microsoft.Extensions.Logging;

namespace Sasync.Core.Loopback;

/// <summary>
/// Failover while a full snapshot is on the wire: in a cluster of three, node 1 and node 2 take turns as
/// MASTER while node 3, rebooted empty, is being sent the full snapshot. Each failover, carp MASTER on the
/// backup of the pair to its IKE daemon being told "active", comes while its peer (the MASTER stepping
/// down) is in the middle of that snapshot, and the new MASTER starts the next one at once.
/// </summary>
/// <param name="Samples">Failovers measured, each with a full snapshot under way (a small one can end before it is seen: fewer).</param>
/// <param name="P50Milliseconds">Median (NaN without samples).</param>
/// <param name="P99Milliseconds">99th percentile (nearest rank).</param>
/// <param name="MaxMilliseconds">Slowest.</param>
/// <param name="SlowestGcPauseMilliseconds">How much of the slowest the GC held the process's threads (the nodes share one heap).</param>
/// <param name="RoundSeconds">Mean wall time of a round (wait for the snapshot, the failover), from node 3's reboot to the last failover.</param>
/// <param name="RoundCpuSeconds">Mean CPU time of the process per round, over the same span.</param>
public sealed record FailoverUnderSnapshot(int Samples, double P50Milliseconds, double P99Milliseconds, double MaxMilliseconds, double SlowestGcPauseMilliseconds, double RoundSeconds = double.NaN, double RoundCpuSeconds = double.NaN)
{
    /// <summary>Failovers a run with <paramref name="sas"/> SAs makes: one per 1 000 SAs, from 5 to 100.</summary>
    public static int Rounds(int sas) => Math.Clamp(sas / 1000, 5, 100);

    private const int Joining = 3;

    /// <summary>
    /// Starts its own three nodes (the joining node needs a MASTER of the pair to follow, whichever it is),
    /// fills them with <paramref name="sas"/> SAs and flows, reboots node 3 and fails over <see cref="Rounds"/> times.
    /// </summary>
    /// <remarks>
    /// Node 3's kernel is empty or partly refilled at every failover, so each new MASTER's snapshot to it is a
    /// full one (FLUSH first, under <c>flushmode startup</c>), whereas node 1 and node 2 agree and resync by digest.
    /// </remarks>
    /// <returns>The figures, or null and why when a step did not finish within <paramref name="stepTimeout"/>.</returns>
    public static async Task<(FailoverUnderSnapshot? Result, string? Error)> MeasureAsync(
        int sas, TimeSpan stepTimeout, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        await using var cluster = await LoopbackCluster.StartAsync(ClusterWorkload.ClusterOptions(Joining, sas), loggers, cancellationToken).ConfigureAwait(false);
        var joining = cluster[Joining];
        var joiningName = joining.Address.ToString();
        Task<bool> Wait(Func<ValueTask<bool>> condition) => ClusterWorkload.WaitUntilAsync(condition, stepTimeout, cancellationToken);

        var (from, to) = (cluster[1], cluster[2]);
        if (!await Wait(async () => (await from.Node!.GetStatusAsync(cancellationToken).ConfigureAwait(false)).Engine.Peers.All(p => p.Connected && p.PeerRunState == RunState.Slave)).ConfigureAwait(false))
        {
            return (null, "the nodes did not connect");
        }

        await ClusterWorkload.AddSasAsync(from, 0, sas, cancellationToken).ConfigureAwait(false);
        await ClusterWorkload.AddFlowsAsync(from, 0, sas, cancellationToken).ConfigureAwait(false);
        if (!await Wait(() => ValueTask.FromResult(cluster.Nodes.All(n => n.Host.Kernel.SaCount >= sas && n.Host.Kernel.FlowCount >= sas))).ConfigureAwait(false))
        {
            return (null, "the backups did not get every SA and flow");
        }

        var flippedAt = DateTimeOffset.UtcNow;
        var cost = PhaseCost.Start();
        await joining.RebootAsync(cancellationToken).ConfigureAwait(false);
        var rounds = Rounds(sas);
        var times = new List<Takeover>(rounds);
        for (var round = 0; round < rounds; round++)
        {
            // Until the MASTER sends node 3 its snapshot; one that is over before a poll sees it is not measured.
            var sender = from;
            var sending = false;
            if (!await Wait(async () =>
                {
                    var peer = (await sender.Node!.GetStatusAsync(cancellationToken).ConfigureAwait(false)).Engine.Peers.First(p => p.Name == joiningName);
                    sending = peer.SendingSnapshot;
                    return sending || peer.LastSnapshotSentAt >= flippedAt;
                }).ConfigureAwait(false))
            {
                return (null, $"node{from.Index} sent node{Joining} no snapshot");
            }

            // 0-15 ms into the snapshot, in a fixed pattern, so that the rounds do not all meet its first chunk.
            await Task.Delay(round * 7 % 16, cancellationToken).ConfigureAwait(false);
            var (takeover, error) = await ClusterWorkload.FailOverAsync(from, to, stepTimeout, cancellationToken).ConfigureAwait(false);
            if (takeover is not { } done)
            {
                return (null, error);
            }

            flippedAt = done.StartedAt;
            if (sending)
            {
                times.Add(done);
            }

            (from, to) = (to, from);
        }

        var spent = cost(0);
        times.Sort((a, b) => a.Milliseconds.CompareTo(b.Milliseconds));
        var figures = times.Count == 0
            ? new FailoverUnderSnapshot(0, double.NaN, double.NaN, double.NaN, double.NaN)
            : new FailoverUnderSnapshot(times.Count, times[times.Count / 2].Milliseconds, times[(int)Math.Ceiling(0.99 * times.Count) - 1].Milliseconds, times[^1].Milliseconds, times[^1].GcPauseMilliseconds);
        return (figures with { RoundSeconds = spent.WallSeconds / rounds, RoundCpuSeconds = spent.CpuSeconds / rounds }, null);
    }
}
