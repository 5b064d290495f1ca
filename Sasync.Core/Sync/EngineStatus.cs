using System.Collections.Immutable;
using Sasync.Core.PfKey;
using Sasync.Core.Wire;

namespace Sasync.Core.Sync;

/// <summary>A snapshot of the engine for the <c>status</c> command.</summary>
/// <param name="RunState">Our run state.</param>
/// <param name="RunStateLocked">True under <c>mode master|slave</c>.</param>
/// <param name="Demotion">Whether we hold the carp group demoted, and why we released it.</param>
/// <param name="StartedAt">When <see cref="EngineStarted"/> was handled, if it was.</param>
/// <param name="Peers">Configured peers in file order, then any other peer that connected.</param>
/// <param name="Counters">Totals since start.</param>
public sealed record EngineStatus(
    RunState RunState,
    bool RunStateLocked,
    DemotionStatus Demotion,
    DateTimeOffset? StartedAt,
    ImmutableArray<PeerStatus> Peers,
    EngineCounters Counters);

/// <summary>The engine's hold on the carp group demote counter.</summary>
/// <param name="Held">We added one to the counter and have not taken it back yet.</param>
/// <param name="ReleasedAt">When we took it back.</param>
/// <param name="ReleaseReason">Why we took it back (snapshot complete, we are MASTER, no MASTER, deadline).</param>
public sealed record DemotionStatus(bool Held, DateTimeOffset? ReleasedAt, string? ReleaseReason);

/// <summary>
/// One peer as the engine sees it; <c>SendingSnapshot</c> while a paced snapshot to it is under way.
/// Resync by digest: <c>DigestsSent</c> / <c>DigestsReceived</c> count DIGEST messages, and
/// <c>SnapshotsSkippedByDigest</c> the snapshots (counted in <c>SnapshotsSent</c> too) that were ENDSNAP alone,
/// <c>DigestMismatches</c> those sent in full because the peer's digest differed from ours, and
/// <c>LastSnapshotMessages</c> the FLUSH, ADD and X_ADDFLOW messages of the last one sent (0 when skipped).
/// </summary>
public sealed record PeerStatus(
    string Name,
    bool Connected,
    PeerDirection? Direction,
    DateTimeOffset? ConnectedSince,
    RunState? PeerRunState,
    long FramesSent,
    long FramesReceived,
    long SnapshotsSent,
    DateTimeOffset? LastSnapshotSentAt,
    long SnapshotsReceived,
    DateTimeOffset? LastSnapshotReceivedAt,
    string? LastError,
    bool SendingSnapshot = false,
    long DigestsSent = 0,
    long DigestsReceived = 0,
    long SnapshotsSkippedByDigest = 0,
    long DigestMismatches = 0,
    long? LastSnapshotMessages = null);

/// <summary>Engine-wide totals.</summary>
/// <param name="KernelMessagesSeen">Promiscuous copies unwrapped from our PF_KEY socket.</param>
/// <param name="MessagesRelayed">Kernel messages that passed the filter and went to the peers.</param>
/// <param name="Filtered">Kernel messages not relayed, by reason.</param>
/// <param name="KernelMessagesMalformed">Unparsable messages from our own kernel.</param>
/// <param name="FramesRejected">Peer frames that were malformed, unexpected or refused, including those that closed a session.</param>
/// <param name="KernelWrites">Messages from the MASTER written to our kernel successfully.</param>
/// <param name="KernelWriteErrors">Writes our kernel refused.</param>
/// <param name="DumpErrors">Failed or malformed SADB/SPD dumps.</param>
/// <param name="DaemonControlErrors">Failed attempts to switch an IKE daemon.</param>
/// <param name="FramesRejectedByReason">Frames that closed a session because the wire layer could not read them, by error.</param>
public sealed record EngineCounters(
    long KernelMessagesSeen,
    long MessagesRelayed,
    ImmutableDictionary<FilterReason, long> Filtered,
    long KernelMessagesMalformed,
    long FramesRejected,
    long KernelWrites,
    long KernelWriteErrors,
    long DumpErrors,
    long DaemonControlErrors,
    ImmutableDictionary<FrameError, long> FramesRejectedByReason);
