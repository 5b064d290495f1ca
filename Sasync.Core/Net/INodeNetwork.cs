using System.Collections.Immutable;
using Sasync.Core.Wire;

namespace Sasync.Core.Net;

/// <summary>
/// The peer sessions as a node's core sees them: sends to one session, pacing, dialling and closing.
/// <see cref="PeerNetwork"/> is the TCP one; a simulator can put an in-memory one in its place.
/// </summary>
public interface INodeNetwork
{
    /// <summary>Queues a frame for the session <paramref name="linkId"/> with <paramref name="peer"/>; false when that session is gone or its queue is full.</summary>
    bool Send(string peer, long linkId, WireMessageType type, ReadOnlyMemory<byte> plaintext);

    /// <summary>Whether <see cref="Send"/> queues a copy of the plaintext, so that the caller may reuse its buffer once it returns; otherwise the plaintext must not change afterwards.</summary>
    bool CopiesPlaintext => false;

    /// <summary>Calls <paramref name="drained"/> (on any thread) once the session's send queue is mostly written, or the session has ended.</summary>
    void NotifyWhenDrained(string peer, long linkId, Action drained);

    /// <summary>Dials every configured peer without a session now, skipping any backoff.</summary>
    void DialNow();

    /// <summary>Closes the session with <paramref name="peer"/>, if any.</summary>
    void Close(string peer, string reason);

    /// <summary>Closes the session with <paramref name="peer"/> for a fresh one, dialled at once: not a failed attempt (no backoff).</summary>
    void Restart(string peer, string reason);

    /// <summary>Replaces the configured peers: new ones are dialled, removed ones closed.</summary>
    void SetPeers(ImmutableArray<string> peers);

    /// <summary>Bytes queued for <paramref name="peer"/> and not yet written.</summary>
    long QueuedBytes(string peer);

    /// <summary>Connections refused since start (strangers, duplicates).</summary>
    long RefusedConnections { get; }

    /// <summary>Sessions dropped because the peer stopped reading.</summary>
    long SlowPeerDrops { get; }

    /// <summary>Each configured peer's session bookkeeping (failed attempts, next dial), by name.</summary>
    ImmutableDictionary<string, Sessions.PeerSessionStatus> SessionStatus();
}
