using System.Net;
using Sasync.Core.Wire;

namespace Sasync.Core.Net;

/// <summary>What the peer network reports to the node that owns it.</summary>
public abstract record PeerNetworkEvent(string Peer);

/// <summary>
/// A session with <paramref name="Peer"/> is up; <paramref name="Outbound"/> tells who dialled, <paramref name="Channel"/>
/// which framing it carries.
/// </summary>
public sealed record PeerLinkUp(string Peer, long LinkId, bool Outbound, IPEndPoint Remote, PeerChannel Channel = PeerChannel.Legacy) : PeerNetworkEvent(Peer);

/// <summary>
/// The session <paramref name="LinkId"/> with <paramref name="Peer"/> ended. <paramref name="Routine"/>
/// marks an ending that is no fault (a newer session replaced it), as opposed to an error;
/// <paramref name="BadFrame"/> is the decoder's error when an unreadable frame ended it.
/// </summary>
public sealed record PeerLinkDown(string Peer, long LinkId, string Reason, bool Routine = false, FrameError? BadFrame = null) : PeerNetworkEvent(Peer);

/// <summary>
/// Whole, decrypted frames arrived from <paramref name="Peer"/>, in order: those that one read from the
/// socket completed (at least one).
/// </summary>
public sealed record PeerLinkFrames(string Peer, long LinkId, IReadOnlyList<ReceivedFrame> Frames) : PeerNetworkEvent(Peer)
{
    /// <summary>
    /// Called by the node once it has handled the frames and no longer reads their plaintexts, so that the network
    /// can reuse the buffer they were decoded into; null when they have buffers of their own.
    /// </summary>
    public Action? Handled { get; init; }
}

/// <summary>One frame's message type and plaintext.</summary>
public readonly record struct ReceivedFrame(WireMessageType Type, ReadOnlyMemory<byte> Plaintext);
