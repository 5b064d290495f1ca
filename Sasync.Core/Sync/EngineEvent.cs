using System.Collections.Immutable;
using System.Net;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Wire;

namespace Sasync.Core.Sync;

/// <summary>
/// Something the host observed and hands to <see cref="SyncEngine.Handle"/>. Events are handled one
/// at a time, in the order given; the engine answers each with a list of <see cref="EngineEffect"/>s.
/// </summary>
public abstract record EngineEvent;

/// <summary>
/// The first event: the carp interface's link state (ignored under <c>mode master|slave</c>) and
/// whether the carp group was already demoted at start (then the engine demotes it by one more and
/// holds that until the sync is complete or 60 s have passed).
/// </summary>
public sealed record EngineStarted(LinkState CarpLinkState, bool GroupDemoted) : EngineEvent;

/// <summary>The carp interface reported a new link state (RTM_IFINFO on OpenBSD).</summary>
public sealed record CarpStateChanged(LinkState LinkState) : EngineEvent;

/// <summary>
/// One message read from our PF_KEY socket, exactly as read (promiscuous copies still wrapped).
/// The engine ignores everything that is not a promiscuous copy.
/// </summary>
public sealed record KernelMessageReceived(ReadOnlyMemory<byte> Message) : EngineEvent;

/// <summary>
/// A session with a peer is up (after the host settled which connection to keep when both sides
/// connected). <paramref name="Peer"/> is the configured peer string; <paramref name="Addresses"/>
/// are its resolved addresses, used by <c>mode skipslave</c>; <paramref name="Channel"/> is the session's framing
/// (features such as resync by digest exist only on the extended channel).
/// </summary>
public sealed record PeerConnected(string Peer, PeerDirection Direction, ImmutableArray<IPAddress> Addresses, Net.PeerChannel Channel = Net.PeerChannel.Legacy) : EngineEvent;

/// <summary>The session with a peer ended (closed, reset, bad frame); the host reconnects on its own.</summary>
/// <remarks>
/// <paramref name="Routine"/>: no fault (e.g. replaced by a newer session), so not reported as the peer's last error.
/// <paramref name="BadFrame"/>: the wire error of the malformed frame that ended it, counted as a rejected frame.
/// </remarks>
public sealed record PeerDisconnected(string Peer, string Reason, bool Routine = false, FrameError? BadFrame = null) : EngineEvent;

/// <summary>
/// A connection from or to <paramref name="Peer"/> that the engine never saw as its session (a
/// replaced one, or one closed before it was up, as on a wrong key) ended on a frame the wire layer
/// could not read: counted as a rejected frame, and kept as the peer's last error.
/// </summary>
public sealed record LinkFrameRejected(string Peer, string Reason, FrameError BadFrame) : EngineEvent;

/// <summary>
/// A frame from a peer, decrypted and checked by the wire layer: its message type and plaintext
/// (12 bytes for a control message, one PF_KEY message for PF_KEY data).
/// </summary>
public sealed record PeerFrameReceived(string Peer, WireMessageType Type, ReadOnlyMemory<byte> Plaintext) : EngineEvent;

/// <summary>
/// A timer armed by <see cref="ArmTimer"/> is due; <paramref name="Generation"/> is the one it was armed
/// with. A firing of a cancelled or re-armed timer (another generation) is ignored.
/// </summary>
public sealed record TimerFired(EngineTimer Timer, long Generation) : EngineEvent;

/// <summary>The outcome of a <see cref="ControlDaemon"/> effect; <paramref name="Failure"/> is null on success.</summary>
public sealed record DaemonControlCompleted(DaemonKind Daemon, bool Active, DaemonControlFailure? Failure) : EngineEvent;

/// <summary>The outcome of a <see cref="WriteToKernel"/> effect; <paramref name="Failure"/> is null on success.</summary>
public sealed record KernelWriteCompleted(string Peer, SadbMessageType Type, KernelFailure? Failure) : EngineEvent;

/// <summary>
/// One chunk of the dump a <see cref="RequestKernelDump"/> for a snapshot asked for, in dump order (SADB, then SPD).
/// The engine disposes it once read; the host hands at most a few at a time, the next once one is disposed.
/// </summary>
public sealed record KernelDumpChunkRead(string Peer, long RequestId, KernelDumpChunk Chunk) : EngineEvent;

/// <summary>
/// The end of a <see cref="RequestKernelDump"/>: after its last <see cref="KernelDumpChunkRead"/>, or the
/// <paramref name="Failure"/> (also after some chunks: then the dump is not whole). For a digest request,
/// the dump's <paramref name="Digest"/>, or null and the <paramref name="DigestProblem"/> (a malformed record).
/// <paramref name="RequestId"/> is the id the request carried.
/// </summary>
public sealed record KernelDumpCompleted(string Peer, long RequestId, KernelFailure? Failure, Digest.SnapshotDigest? Digest = null, string? DigestProblem = null) : EngineEvent;

/// <summary>
/// The configuration was reloaded with these peers (in file order): peers no longer listed leave the
/// engine (status and the undemote rule), new ones appear. The host closes the removed peers' sessions.
/// </summary>
public sealed record PeersChanged(ImmutableArray<string> Peers) : EngineEvent;

/// <summary>The answer to <see cref="AwaitPeerDrain"/>: the peer's send queue has room for the next snapshot chunk.</summary>
public sealed record PeerDrained(string Peer, long SnapshotId) : EngineEvent;
