using Microsoft.Extensions.Logging;

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
/// shell need not (but may) report its close.
/// </summary>
public sealed record CloseConnection(long ConnectionId, string Reason) : SessionDecision;

/// <summary>
/// The connection is now the carrier: the one the engine sees as the session with the peer, and the only
/// one sent on. The shell reports it to the engine as a session that came up, with its <paramref name="Channel"/>.
/// </summary>
public sealed record CarrierUp(long ConnectionId, ConnectionDirection Direction, Net.PeerChannel Channel = Net.PeerChannel.Legacy) : SessionDecision;

/// <summary>
/// The connection is no longer the carrier (it may stay open). The shell reports it to the engine as a
/// session that ended; <paramref name="Routine"/> when that was no fault (another connection replaced it).
/// </summary>
public sealed record CarrierDown(long ConnectionId, string Reason, bool Routine) : SessionDecision;

/// <summary>Dial the peer now; report the outcome with <see cref="PeerSessionRules.OnOpened"/> or <see cref="PeerSessionRules.OnDialFailed"/>.</summary>
public sealed record StartDial : SessionDecision;

/// <summary>A line for the log: the rules log per backoff step, never per attempt.</summary>
public sealed record SessionLog(LogLevel Level, string Message) : SessionDecision;
