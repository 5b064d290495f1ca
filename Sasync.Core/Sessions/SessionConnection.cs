using System.Net;
using Sasync.Core.Net;
using Sasync.Core.Wire.Extended;

namespace Sasync.Core.Sessions;

/// <summary>What <see cref="PeerSessionRules"/> knows about one open connection with its peer.</summary>
internal sealed class SessionConnection(long id, long order, ConnectionDirection direction, IPAddress dialler, DateTimeOffset openedAt)
{
    public long Id { get; } = id;

    /// <summary>Opening order among the peer's connections (higher is newer).</summary>
    public long Order { get; } = order;

    public ConnectionDirection Direction { get; } = direction;

    /// <summary>The address of the side that dialled it; both ends see the same one.</summary>
    public IPAddress Dialler { get; } = dialler;

    public DateTimeOffset OpenedAt { get; } = openedAt;

    public PeerKind Kind { get; set; }

    /// <summary>The instance id of the peer's HELLO on this connection.</summary>
    public UInt128 Instance { get; set; }

    /// <summary>When it became the carrier (null while it is not).</summary>
    public DateTimeOffset? CarrierSince { get; set; }

    /// <summary>When a STATE, ACK or ERROR about STATE arrived while it was the carrier.</summary>
    public DateTimeOffset? HandshakeAt { get; set; }

    public bool Stable { get; set; }

    /// <summary>When the last frame arrived on it.</summary>
    public DateTimeOffset? LastFrameAt { get; set; }

    /// <summary>When the last keepalive STATE was written on it.</summary>
    public DateTimeOffset? LastProbeAt { get; set; }

    /// <summary>When it proved stable (null while it has not).</summary>
    public DateTimeOffset? StableSince { get; set; }

    /// <summary>STATEs written on it (by the engine or as probes).</summary>
    public long StatesSent { get; set; }

    /// <summary>ACKs of STATE read from it: an original answers each STATE it reads with one.</summary>
    public long StateAcks { get; set; }

    /// <summary>
    /// For a connection kept open beside the carrier: the carrier, and how many STATE ACKs on it prove that
    /// the peer reads the carrier now (it answered a STATE written after this one was set aside).
    /// </summary>
    public long SupersededBy { get; set; } = -1;

    public long SupersedeAfterAcks { get; set; }

    /// <summary>The key and policy of the handshake; null when the connection stays legacy without one.</summary>
    public ChannelHandshake? Handshake { get; init; }

    /// <summary>The HELLO plaintext we sent on it, exactly as sent (the transcript's input).</summary>
    public byte[] SentHello { get; init; } = [];

    public HandshakeStage Stage { get; set; }

    /// <summary>Set once <see cref="Stage"/> is settled: the framing the connection carries.</summary>
    public PeerChannel Channel { get; set; }

    /// <summary>Our HELLO offered the extended channel.</summary>
    public bool WeOffer { get; init; }

    /// <summary>The peer's HELLO offered the extended channel.</summary>
    public bool PeerOffers { get; set; }

    /// <summary>The session secrets, once both HELLOs are known.</summary>
    public ExtendedSessionSecrets? Secrets { get; set; }

    /// <summary>Settled as legacy before its first frame (the peer is an original, or said nothing in time).</summary>
    public bool SettledBeforeFrame { get; set; }
}
