namespace Sasync.Core.Sessions;

/// <summary>A peer's session bookkeeping for status: failed attempts since the last stable session and when the next dial may start.</summary>
/// <param name="FailedAttempts">Sessions and dials that failed since the last session that proved stable.</param>
/// <param name="NextAttemptAt">When the next dial may start while the peer has no connection; null while it has one.</param>
/// <param name="Kind">What the peer's frames showed it to be.</param>
/// <param name="OpenConnections">Open connections with it, the carrier among them.</param>
/// <param name="Channel">The framing the carrier uses (legacy while there is none).</param>
public sealed record PeerSessionStatus(int FailedAttempts, DateTimeOffset? NextAttemptAt, PeerKind Kind, int OpenConnections, Net.PeerChannel Channel = Net.PeerChannel.Legacy);
