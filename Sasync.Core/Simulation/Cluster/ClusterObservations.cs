namespace Sasync.Core.Simulation.Cluster;

/// <summary>What the simulator counts while a run goes on, for the invariants that are about rates.</summary>
internal sealed class ClusterObservations(VirtualScheduler scheduler, int stormLimit)
{
    private readonly Dictionary<(string Node, string Peer), List<DateTimeOffset>> _sessions = [];

    /// <summary>Sessions of one node with one peer within a minute beyond which the run is cut short.</summary>
    public int StormLimit { get; } = stormLimit;

    /// <summary>Set when some pair went over <see cref="StormLimit"/>: the run stops, the invariant has failed.</summary>
    public string? Storm { get; private set; }

    /// <summary>Times the sync engine threw (it must not).</summary>
    public List<string> EngineFailures { get; } = [];

    /// <summary>A connection with a peer opened, at the scheduler's time (hosts' wall clocks may be stepped).</summary>
    public void SessionUp(string node, string peer)
    {
        var at = scheduler.Now;
        if (!_sessions.TryGetValue((node, peer), out var times))
        {
            times = [];
            _sessions[(node, peer)] = times;
        }

        times.Add(at);
        if (Storm is null && times.Count > StormLimit && at - times[^(StormLimit + 1)] < TimeSpan.FromMinutes(1))
        {
            Storm = $"{node} had more than {StormLimit} sessions with {peer} within a minute (up to {at - VirtualScheduler.Epoch:g})";
        }
    }

    /// <summary>The most sessions one node had with one peer in any minute-long window, with who they were.</summary>
    public (int Count, string Node, string Peer) MostSessionsPerMinute()
    {
        var best = (0, "", "");
        foreach (var ((node, peer), times) in _sessions)
        {
            var start = 0;
            for (var end = 0; end < times.Count; end++)
            {
                while (times[end] - times[start] >= TimeSpan.FromMinutes(1))
                {
                    start++;
                }

                if (end - start + 1 > best.Item1)
                {
                    best = (end - start + 1, node, peer);
                }
            }
        }

        return best;
    }
}
