namespace Sasync.Core.Simulation.Cluster;

/// <summary>The in-memory network's TCP-like constants.</summary>
internal sealed record NetworkTimings
{
    /// <summary>Bytes one direction of a connection holds in flight and unread (send buffer + receive buffer).</summary>
    public int Window { get; init; } = 128 * 1024;

    /// <summary>A segment that cannot be delivered for this long makes its sender give up (ETIMEDOUT).</summary>
    public TimeSpan RetransmitTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>One-way latency between two hosts is drawn between these, once per pair.</summary>
    public TimeSpan MinLatency { get; init; } = TimeSpan.FromMicroseconds(50);

    public TimeSpan MaxLatency { get; init; } = TimeSpan.FromMilliseconds(3);
}
