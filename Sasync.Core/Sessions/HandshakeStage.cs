namespace Sasync.Core.Sessions;

/// <summary>Where a connection's channel handshake stands; only a settled connection can carry the session.</summary>
internal enum HandshakeStage
{
    /// <summary>Our HELLO is sent; nothing has arrived yet.</summary>
    AwaitingHello,

    /// <summary>Both HELLOs (version 2) are known and our FINISHED is sent; the peer's is due next.</summary>
    AwaitingFinished,

    /// <summary>The channel is known (<see cref="SessionConnection.Channel"/>).</summary>
    Settled,
}
