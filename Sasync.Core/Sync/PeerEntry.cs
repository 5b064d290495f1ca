using System.Collections.Immutable;
using System.Net;

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

    /// <summary>We wrote this peer's PF_KEY data while another peer also claimed MASTER.</summary>
    public bool TookDataBesideAnotherMaster { get; set; }

    /// <summary>The run state the peer last reported, in this session or an earlier one.</summary>
    public RunState? LastRunState { get; set; }

    public PeerSession? Session { get; set; }

    public bool Connected => Session is not null;

    public PeerStatus ToStatus() => new(
        Name, Connected, Session?.Direction, Session?.ConnectedSince, Session?.RunState,
        FramesSent, FramesReceived, SnapshotsSent, LastSnapshotSentAt, SnapshotsReceived, LastSnapshotReceivedAt, LastError,
        Session?.Snapshot.Phase == SnapshotPhase.Sending);
}

/// <summary>What the engine knows about one live session; a new connection starts from scratch.</summary>
internal sealed class PeerSession(PeerDirection direction, ImmutableArray<IPAddress> addresses, DateTimeOffset connectedSince)
{
    public PeerDirection Direction { get; } = direction;

    public ImmutableArray<IPAddress> Addresses { get; } = addresses;

    public DateTimeOffset ConnectedSince { get; } = connectedSince;

    /// <summary>The peer's run state from its STATE or ACK; null until it reported one.</summary>
    public RunState? RunState { get; set; }

    /// <summary>Our snapshot to this peer in the current MASTER period, and the changes held during it.</summary>
    public PeerSnapshot Snapshot { get; } = new();

    /// <summary>ENDSNAP arrived from this peer while it was MASTER.</summary>
    public bool SnapshotReceived { get; set; }

    public int BadFrames { get; set; }
}
