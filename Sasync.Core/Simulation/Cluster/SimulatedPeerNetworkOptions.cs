namespace Sasync.Core.Simulation.Cluster;

/// <summary>Budgets and timeouts of a node's in-memory peer network (as <see cref="Net.PeerNetworkOptions"/>).</summary>
internal sealed record SimulatedPeerNetworkOptions
{
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A peer with more than this many bytes waiting is dropped as too slow.</summary>
    public long MaxQueuedBytesPerPeer { get; init; } = 4L * 1024 * 1024;

    /// <summary>At or below this many queued bytes a session counts as drained.</summary>
    public long DrainedBytes => Math.Min(MaxQueuedBytesPerPeer / 4, 1024 * 1024);
}
