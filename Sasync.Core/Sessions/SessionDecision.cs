using Microsoft.Extensions.Logging;
using Sasync.Core.Net;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Core.Sessions;

/// <summary>
/// What <see cref="PeerSessionRules"/> asks its shell to do, in the order given. The shell carries each
/// out and reports back only what the network does on its own (a connection opened, a frame, a close).
/// </summary>
public abstract record SessionDecision;

/// <summary>
/// Write this control plaintext on the connection, ahead of anything queued after it: the HELLO that
/// opens every connection, or a STATE that probes the carrier.
/// </summary>
public sealed record SendControlOn(long ConnectionId, ReadOnlyMemory<byte> Plaintext) : SessionDecision;

/// <summary>
/// Close the connection. The rules have already forgotten it: a later report about it is ignored, so the
/// shell need not (but may) report its close. <paramref name="Rejected"/>, when set, is the frame error the
/// shell reports to the node as a rejected frame (a FINISHED that does not verify).
/// </summary>
public sealed record CloseConnection(long ConnectionId, string Reason, FrameError? Rejected = null) : SessionDecision;

/// <summary>
/// From the next frame on, write the connection in the extended channel: everything queued on it before this
/// decision (our FINISHED last) still goes out in legacy frames, everything after in extended ones.
/// </summary>
public sealed record SwitchToExtendedEncoder(long ConnectionId, ExtendedSessionSecrets Secrets, bool WeAreDialler, ExtendedChannelOptions Options) : SessionDecision
{
    /// <summary>The connection's new encoder.</summary>
    public IFrameEncoder CreateEncoder() => new ExtendedFrameEncoder(Secrets, WeAreDialler, Options);
}

/// <summary>
/// From the next frame on, read the connection as the extended channel: the frame just handed to the rules
/// (the peer's FINISHED) was its last legacy frame. A shell must not decode past that frame before it
/// carried this out.
/// </summary>
public sealed record SwitchToExtendedDecoder(long ConnectionId, ExtendedSessionSecrets Secrets, bool WeAreDialler, ExtendedChannelOptions Options) : SessionDecision
{
    /// <summary>The connection's new decoder.</summary>
    public IFrameDecoder CreateDecoder() => new ExtendedFrameDecoder(Secrets, WeAreDialler, Options);
}

/// <summary>
/// The connection is now the carrier: the one the engine sees as the session with the peer, and the only
/// one sent on. The shell reports it to the engine as a session that came up, with its <paramref name="Channel"/>.
/// </summary>
public sealed record CarrierUp(long ConnectionId, ConnectionDirection Direction, PeerChannel Channel = PeerChannel.Legacy) : SessionDecision;

/// <summary>
/// The connection is no longer the carrier (it may stay open). The shell reports it to the engine as a
/// session that ended; <paramref name="Routine"/> when that was no fault (another connection replaced it).
/// </summary>
public sealed record CarrierDown(long ConnectionId, string Reason, bool Routine) : SessionDecision;

/// <summary>Dial the peer now; report the outcome with <see cref="PeerSessionRules.OnOpened(long, ConnectionDirection, System.Net.IPAddress, ChannelHandshake?, List{SessionDecision})"/> or <see cref="PeerSessionRules.OnDialFailed"/>.</summary>
public sealed record StartDial : SessionDecision;

/// <summary>A line for the log: the rules log per backoff step, never per attempt.</summary>
public sealed record SessionLog(LogLevel Level, string Message) : SessionDecision;
