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

    public long DigestsSent { get; set; }

    public long DigestsReceived { get; set; }

    public long SnapshotsSkippedByDigest { get; set; }

    public long DigestMismatches { get; set; }

    /// <summary>FLUSH, ADD and X_ADDFLOW messages of the last snapshot sent: 0 when it was skipped by digest.</summary>
    public long? LastSnapshotMessages { get; set; }

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
        Session?.Snapshot.Phase == SnapshotPhase.Sending, DigestsSent, DigestsReceived, SnapshotsSkippedByDigest, DigestMismatches, LastSnapshotMessages);
}

/// <summary>What the engine knows about one live session; a new connection starts from scratch.</summary>
internal sealed class PeerSession(PeerDirection direction, ImmutableArray<IPAddress> addresses, DateTimeOffset connectedSince, Net.PeerChannel channel)
{
    public PeerDirection Direction { get; } = direction;

    /// <summary>The session's framing; resync by digest only on <see cref="Net.PeerChannel.Extended"/>.</summary>
    public Net.PeerChannel Channel { get; } = channel;

    /// <summary>Our MASTER periods on this session: STATEs or ACKs we sent saying MASTER after one that did not.</summary>
    public uint OurMasterEpoch { get; private set; }

    /// <summary>The peer's MASTER periods on this session as its STATEs and ACKs told them, counted the same way.</summary>
    public uint PeerMasterEpoch { get; private set; }

    /// <summary>The dump our digest for the peer is made from, and the peer's MASTER period it is for; null when none is under way.</summary>
    public (long DumpId, uint Epoch)? DigestDump { get; set; }

    private bool _announcedMaster;

    public ImmutableArray<IPAddress> Addresses { get; } = addresses;

    public DateTimeOffset ConnectedSince { get; } = connectedSince;

    /// <summary>The peer's run state from its STATE or ACK; null until it reported one.</summary>
    public RunState? RunState { get; set; }

    /// <summary>Our snapshot to this peer in the current MASTER period, and the changes held during it.</summary>
    public PeerSnapshot Snapshot { get; } = new();

    /// <summary>ENDSNAP arrived from this peer while it was MASTER.</summary>
    public bool SnapshotReceived { get; set; }

    public int BadFrames { get; set; }

    /// <summary>We sent the peer a message carrying our run state: a MASTER after anything else starts one of our periods.</summary>
    public void Announced(RunState state)
    {
        if (state == Sasync.Core.RunState.Master && !_announcedMaster)
        {
            OurMasterEpoch++;
        }

        _announcedMaster = state == Sasync.Core.RunState.Master;
    }

    /// <summary>Records the peer's reported state; true when it starts one of the peer's MASTER periods.</summary>
    public bool Reported(RunState state)
    {
        var becameMaster = state == Sasync.Core.RunState.Master && RunState != Sasync.Core.RunState.Master;
        if (becameMaster)
        {
            PeerMasterEpoch++;
        }

        RunState = state;
        return becameMaster;
    }
}
