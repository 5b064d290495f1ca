using System.Collections.Immutable;
using Sasync.Core.Net;
using Sasync.Core.Sessions;
using Sasync.Core.Wire;

namespace Sasync.Tests.Hosting;

/// <summary>An <see cref="INodeNetwork"/> that records what the node asks of it; drain callbacks wait until the test runs them.</summary>
internal sealed class RecordingNetwork : INodeNetwork
{
    public List<(string Peer, long LinkId, WireMessageType Type, byte[] Plaintext)> Sent { get; } = [];

    public List<(string Peer, long LinkId, Action Drained)> DrainWaiters { get; } = [];

    public List<(string Peer, string Reason)> Closed { get; } = [];

    public List<ImmutableArray<string>> PeerSets { get; } = [];

    public int Dials { get; private set; }

    public long RefusedConnections { get; set; }

    public long SlowPeerDrops { get; set; }

    public ImmutableDictionary<string, PeerSessionStatus> SessionStatus() => ImmutableDictionary<string, PeerSessionStatus>.Empty;

    public bool Send(string peer, long linkId, WireMessageType type, ReadOnlyMemory<byte> plaintext)
    {
        Sent.Add((peer, linkId, type, plaintext.ToArray()));
        return true;
    }

    public void NotifyWhenDrained(string peer, long linkId, Action drained) => DrainWaiters.Add((peer, linkId, drained));

    public void DialNow() => Dials++;

    public void Close(string peer, string reason) => Closed.Add((peer, reason));

    public List<(string Peer, string Reason)> Restarted { get; } = [];

    public void Restart(string peer, string reason) => Restarted.Add((peer, reason));

    public void SetPeers(ImmutableArray<string> peers) => PeerSets.Add(peers);

    public long QueuedBytes(string peer) => 0;

    /// <summary>Runs every drain callback waiting so far, as sessions whose queues emptied.</summary>
    public void DrainAll()
    {
        var waiting = DrainWaiters.ToList();
        DrainWaiters.Clear();
        foreach (var (_, _, drained) in waiting)
        {
            drained();
        }
    }

    public List<ControlMessage> ControlsTo(string peer) =>
        [.. Sent.Where(s => s.Peer == peer && s.Type == WireMessageType.Control).Select(s => ControlMessage.TryRead(s.Plaintext, out var m) ? m : throw new InvalidDataException("bad control"))];
}
