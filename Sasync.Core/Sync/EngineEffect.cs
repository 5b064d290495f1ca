using Microsoft.Extensions.Logging;
using Sasync.Core.Wire;

namespace Sasync.Core.Sync;

/// <summary>
/// Something the engine asks the host to do. Effects come in the order they must be carried out;
/// per peer, sends must keep their order (a snapshot is FLUSH, SAs, flows, ENDSNAP).
/// </summary>
public abstract record EngineEffect;

/// <summary>Send a control frame (SYNCCTL) to one connected peer.</summary>
public sealed record SendControl(string Peer, ControlMessage Message) : EngineEffect;

/// <summary>Send a DIGEST control frame (a sasyncd-cs message, for extended sessions only) to one connected peer.</summary>
public sealed record SendDigest(string Peer, DigestMessage Message) : EngineEffect;

/// <summary>Send a PF_KEY data frame (PFKEYDATA) with this plaintext to one connected peer.</summary>
public sealed record SendPfKey(string Peer, ReadOnlyMemory<byte> Message) : EngineEffect;

/// <summary>
/// Write this message (already carrying our pid and a fresh sequence number) to our kernel; it came
/// from <paramref name="Peer"/>. Answer with <see cref="KernelWriteCompleted"/>.
/// </summary>
public sealed record WriteToKernel(string Peer, ReadOnlyMemory<byte> Message) : EngineEffect;

/// <summary>
/// More of the snapshot <paramref name="SnapshotId"/> waits for <paramref name="Peer"/>: answer with
/// <see cref="PeerDrained"/> once the frames queued for it are mostly written (or the session is gone).
/// </summary>
public sealed record AwaitPeerDrain(string Peer, long SnapshotId) : EngineEffect;

/// <summary>Turn promiscuous mode of our PF_KEY socket on (MASTER) or off.</summary>
public sealed record SetPromiscuous(bool Enabled) : EngineEffect;

/// <summary>
/// Take the SADB and SPD dumps for <paramref name="Peer"/>, in order with the kernel writes before it. For
/// <see cref="KernelDumpUse.Snapshot"/>, hand the engine its chunks (<see cref="KernelDumpChunkRead"/>), then
/// <see cref="KernelDumpCompleted"/>; for <see cref="KernelDumpUse.Digest"/>, only the completion, with the digest
/// computed while reading (off the engine's loop). Both carry the same id.
/// </summary>
public sealed record RequestKernelDump(string Peer, long RequestId, KernelDumpUse Use = KernelDumpUse.Snapshot) : EngineEffect
{
    /// <summary>For a digest: the snapshot filter its records go through, or null for every record (the joining node's own kernel).</summary>
    internal PfKey.SyncFilterContext? DigestFilter { get; init; }
}

/// <summary>
/// The dump <paramref name="RequestId"/> (a <see cref="RequestKernelDump"/> for <paramref name="Peer"/>) is no longer
/// wanted: stop reading it, or do not start. Chunks already handed over still come back as the engine disposes them;
/// its completion need not come (the engine would drop it as stale). An id the host no longer reads is ignored.
/// </summary>
public sealed record AbandonKernelDump(string Peer, long RequestId) : EngineEffect;

/// <summary>What a <see cref="RequestKernelDump"/> is for.</summary>
public enum KernelDumpUse
{
    /// <summary>A snapshot is made from its records.</summary>
    Snapshot,

    /// <summary>Only its digest is needed.</summary>
    Digest,
}

/// <summary>Tell an IKE daemon to be active or passive, without blocking; answer with <see cref="DaemonControlCompleted"/>.</summary>
public sealed record ControlDaemon(DaemonKind Daemon, bool Active) : EngineEffect;

/// <summary>Add <paramref name="Delta"/> (+1 or −1) to the carp group's demote counter.</summary>
public sealed record AdjustCarpDemotion(string Group, int Delta) : EngineEffect;

/// <summary>
/// Arm (or re-arm, replacing the previous one) the named timer; deliver <see cref="TimerFired"/> with
/// the same <paramref name="Generation"/> after <paramref name="Delay"/> on the engine's TimeProvider.
/// <paramref name="DueAt"/> is when that is on the clock at arming, for logs and status only.
/// </summary>
public sealed record ArmTimer(EngineTimer Timer, long Generation, DateTimeOffset DueAt, TimeSpan Delay) : EngineEffect;

/// <summary>Cancel the named timer if it is armed.</summary>
public sealed record CancelTimer(EngineTimer Timer) : EngineEffect;

/// <summary>Connect now to every configured peer without a session (skip any reconnect backoff).</summary>
public sealed record ConnectMissingPeers : EngineEffect;

/// <summary>Close the session with a peer (it sent too many bad frames); the host reconnects later.</summary>
public sealed record ClosePeer(string Peer, string Reason) : EngineEffect;

/// <summary>
/// Close the session with a peer so that a new one brings a fresh snapshot, and dial it again at once: a resync
/// we want, not a fault, so no reconnect backoff (which would leave us without our MASTER's data meanwhile).
/// </summary>
public sealed record RestartPeerSession(string Peer, string Reason) : EngineEffect;

/// <summary>A log line for the host's logger.</summary>
public sealed record Log(LogLevel Level, string Message) : EngineEffect;
