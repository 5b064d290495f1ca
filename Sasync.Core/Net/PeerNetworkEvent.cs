using System.Net;
using Sasync.Core.Wire;

namespace Sasync.Core.Net;

/// <summary>What the peer network reports to the node that owns it.</summary>
public abstract record PeerNetworkEvent(string Peer);

/// <summary>A session with <paramref name="Peer"/> is up; <paramref name="Outbound"/> tells who dialled.</summary>
public sealed record PeerLinkUp(string Peer, long LinkId, bool Outbound, IPEndPoint Remote) : PeerNetworkEvent(Peer);

/// <summary>
/// The session <paramref name="LinkId"/> with <paramref name="Peer"/> ended. <paramref name="Routine"/>
/// marks an ending that is no fault (a newer session replaced it), as opposed to an error.
/// </summary>
public sealed record PeerLinkDown(string Peer, long LinkId, string Reason, bool Routine = false) : PeerNetworkEvent(Peer);

/// <summary>A whole, decrypted frame arrived from <paramref name="Peer"/>.</summary>
public sealed record PeerLinkFrame(string Peer, long LinkId, WireMessageType Type, ReadOnlyMemory<byte> Plaintext) : PeerNetworkEvent(Peer);
