namespace Sasync.Core.Sync;

/// <summary>Host facts and timing for <see cref="SyncEngine"/>; the defaults are sasyncd's.</summary>
public sealed record EngineOptions
{
    /// <summary>Our pid as the kernel sees it in PF_KEY headers (IKeyEngine.Pid).</summary>
    public required uint Pid { get; init; }

    /// <summary>Undemote at the latest this long after start (CARP_DEMOTE_MAXTIME, 60 s).</summary>
    public TimeSpan UndemoteDeadline { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long peers get to connect and report their state before "no MASTER" counts.</summary>
    public TimeSpan PeerReportGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often failed daemon control is retried (MONITOR_RETRY_TIMEOUT, 4 s).</summary>
    public TimeSpan DaemonControlRetry { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Relayed messages held back for a peer while its snapshot dump is taken; beyond this the
    /// queue is dropped and a fresh dump is requested instead.
    /// </summary>
    public int MaxHeldRelays { get; init; } = 1024;

    /// <summary>
    /// Snapshot messages sent at a time; the next chunk follows once the peer's send queue has
    /// drained (<see cref="AwaitPeerDrain"/>), so a big SADB neither waits to be built whole nor
    /// overflows the queue.
    /// </summary>
    public int SnapshotChunkMessages { get; init; } = 1024;

    /// <summary>
    /// Snapshot bytes sent at a time, at most (a chunk ends at whichever limit it reaches first); a
    /// host keeps it well inside a peer's send budget, so that a paced snapshot never overflows it.
    /// </summary>
    public int SnapshotChunkBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// Resync by digest on extended sessions: a joining node sends the digest of its kernel, and a
    /// MASTER whose snapshot would carry the same sends ENDSNAP alone. Off: full snapshots only, no DIGEST sent.
    /// </summary>
    public bool ResyncByDigest { get; init; } = true;

    /// <summary>
    /// How long a MASTER waits for a peer's digest before it sends the full snapshot anyway; one timer
    /// serves every peer in rounds of this length, so a wait ends after one to two of them, counted from when the
    /// MASTER's own digest is made if that takes longer.
    /// </summary>
    public TimeSpan DigestWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Bad frames tolerated in one session before the engine asks the host to close it.</summary>
    public int MaxBadFramesPerSession { get; init; } = 32;
}
