using System.Collections.Immutable;
using System.Net;
using Sasync.Core.PfKey;

namespace Sasync.Core.Sync;

/// <summary>The engine's mutable bookkeeping for one peer: totals that survive sessions, and the current session.</summary>
internal sealed class PeerEntry(string name)
{
    public string Name { get; } = name;

    public long FramesSent { get; set; }

    public long FramesReceived { get; set; }

    public long SnapshotsSent { get; set; }

    public long SnapshotsReceived { get; set; }

    public DateTimeOffset? LastSnapshotSentAt { get; set; }

    public DateTimeOffset? LastSnapshotReceivedAt { get; set; }

    public string? LastError { get; set; }

    public PeerSession? Session { get; set; }

    public bool Connected => Session is not null;

    public PeerStatus ToStatus() => new(
        Name, Connected, Session?.Direction, Session?.ConnectedSince, Session?.RunState,
        FramesSent, FramesReceived, SnapshotsSent, LastSnapshotSentAt, SnapshotsReceived, LastSnapshotReceivedAt, LastError,
        Session?.Snapshot is not null);
}

/// <summary>What the engine knows about one live session; a new connection starts from scratch.</summary>
internal sealed class PeerSession(PeerDirection direction, ImmutableArray<IPAddress> addresses, DateTimeOffset connectedSince)
{
    public PeerDirection Direction { get; } = direction;

    public ImmutableArray<IPAddress> Addresses { get; } = addresses;

    public DateTimeOffset ConnectedSince { get; } = connectedSince;

    /// <summary>The peer's run state from its STATE or ACK; null until it reported one.</summary>
    public RunState? RunState { get; set; }

    /// <summary>We sent (or are sending) this peer its snapshot during our current MASTER period.</summary>
    public bool SnapshotStarted { get; set; }

    /// <summary>The id of the dump we wait for; null when no dump is outstanding.</summary>
    public long? PendingDumpId { get; set; }

    /// <summary>The snapshot being sent in chunks; null when none is.</summary>
    public SnapshotCursor? Snapshot { get; set; }

    /// <summary>The id of the dump <see cref="Snapshot"/> comes from, which its pacing events carry.</summary>
    public long SnapshotId { get; set; }

    /// <summary>Relayed messages held back until the snapshot is sent.</summary>
    public List<ReadOnlyMemory<byte>> HeldRelays { get; } = [];

    /// <summary>ENDSNAP arrived from this peer while it was MASTER.</summary>
    public bool SnapshotReceived { get; set; }

    public int BadFrames { get; set; }
}
