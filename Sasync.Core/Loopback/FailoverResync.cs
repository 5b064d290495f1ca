using Sasync.Core.Platform;

namespace Sasync.Core.Loopback;

/// <summary>
/// What a carp failover between two nodes that hold the same SAs cost in resync: the new MASTER's
/// snapshot to the other node (by digest on the extended channel: ENDSNAP alone when both kernels agree).
/// </summary>
/// <param name="Rounds">Failovers measured.</param>
/// <param name="SnapshotMessages">The most FLUSH, ADD and X_ADDFLOW messages one of those snapshots sent (0: every one was skipped by digest).</param>
/// <param name="Milliseconds">Median, from carp MASTER on the new node to its snapshot to the other having ended (its ENDSNAP sent).</param>
/// <param name="SkippedByDigest">How many of those snapshots were ENDSNAP alone.</param>
public sealed record FailoverResync(int Rounds, long SnapshotMessages, double Milliseconds, int SkippedByDigest)
{
    private const int MeasuredRounds = 3;

    /// <summary>
    /// Flips carp from <paramref name="master"/> to <paramref name="backup"/> and back, once unmeasured to settle
    /// what came before, then <c>3</c> times measured, each time waiting for the new MASTER's snapshot to end.
    /// </summary>
    /// <returns>The figures, or null and why when a step did not finish within <paramref name="stepTimeout"/>.</returns>
    public static async Task<(FailoverResync? Result, string? Error)> MeasureAsync(
        LoopbackClusterNode master, LoopbackClusterNode backup, TimeSpan stepTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(backup);
        var times = new List<double>();
        long messages = 0;
        var skipped = 0;
        var (from, to) = (master, backup);
        for (var round = 0; round <= MeasuredRounds; round++)
        {
            from.Host.Carp.Set(LinkState.Down);
            if (!await ClusterWorkload.WaitUntilAsync(() => ValueTask.FromResult(from.Host.DaemonControl.IsActive == false), stepTimeout, cancellationToken).ConfigureAwait(false))
            {
                return (null, $"node{from.Index} did not go passive");
            }

            var flippedAt = DateTimeOffset.UtcNow;
            to.Host.Carp.Set(LinkState.Up);
            Sync.PeerStatus? sent = null;
            if (!await ClusterWorkload.WaitUntilAsync(async () =>
                {
                    var status = await to.Node!.GetStatusAsync(cancellationToken).ConfigureAwait(false);
                    sent = status.Engine.Peers.FirstOrDefault(p => p.LastSnapshotSentAt >= flippedAt);
                    return sent is not null;
                }, stepTimeout, cancellationToken).ConfigureAwait(false))
            {
                return (null, $"node{to.Index} sent no snapshot after it became MASTER");
            }

            if (round > 0)
            {
                times.Add((sent!.LastSnapshotSentAt!.Value - flippedAt).TotalMilliseconds);
                messages = Math.Max(messages, sent.LastSnapshotMessages ?? 0);
                skipped += sent.LastSnapshotMessages == 0 ? 1 : 0;
            }

            (from, to) = (to, from);
        }

        times.Sort();
        return (new FailoverResync(MeasuredRounds, messages, times[times.Count / 2], skipped), null);
    }
}
