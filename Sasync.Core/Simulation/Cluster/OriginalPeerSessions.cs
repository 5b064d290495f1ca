using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using Sasync.Core.Net;
using Sasync.Core.Wire;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// The session layer of OpenBSD's sasyncd (net.c 1.24), as a peer model for the simulator. Its rules,
/// exactly: every connection accepted from a configured peer becomes that peer's only socket, and
/// the previous one is neither closed nor ever read or written again; it dials only peers without a
/// socket (at start, every 600 s and on a carp change), one at a time with a blocking connect under a
/// 5 s alarm, and sends STATE after its dial; it reads and writes that one socket; an error or EOF on
/// it closes it and leaves the peer without one; a frame that fails its checks is dropped and reading
/// goes on; unknown control types are ignored; there is no HELLO.
/// </summary>
internal sealed class OriginalPeerSessions : ISimulatedShell
{
    private static readonly TimeSpan ReconnectInterval = TimeSpan.FromSeconds(600);
    private static readonly TimeSpan ConnectAlarm = TimeSpan.FromSeconds(5);

    private readonly SimulatedProcess _process;
    private readonly SimulatedNetwork _network;
    private readonly string _address;
    private readonly Func<IFrameCodecFactory> _codecs;
    private readonly Action<object> _deliver;
    private readonly TimeProvider _time;
    private readonly SimulationTrace _trace;
    private readonly ClusterObservations _observations;
    private readonly List<Peer> _peers = [];
    private readonly List<SimulatedSocket> _leaked = [];
    private readonly HashSet<SimulatedSocket> _unclaimed = [];
    private ScheduledAction? _reconnectTimer;
    private long _nextLinkId;
    private bool _stopped;

    public OriginalPeerSessions(
        SimulatedProcess process,
        SimulatedNetwork network,
        string address,
        Func<IFrameCodecFactory> codecs,
        Action<object> deliver,
        TimeProvider time,
        SimulationTrace trace,
        ClusterObservations observations)
    {
        _process = process;
        _network = network;
        _address = address;
        _codecs = codecs;
        _deliver = deliver;
        _time = time;
        _trace = trace;
        _observations = observations;
    }

    public long RefusedConnections { get; private set; }

    public long SlowPeerDrops => 0;

    /// <summary>Connections it accepted over an existing one and left open, unread: what the original leaks.</summary>
    public int Leaked => _leaked.Count;

    public bool Start(ImmutableArray<string> peers)
    {
        SetPeers(peers);
        ArmReconnect();
        return _network.Listen(_address, socket =>
        {
            _unclaimed.Add(socket);
            _process.Post(() => OnAccepted(socket));
        });
    }

    public void Stop(bool graceful)
    {
        _stopped = true;
        _reconnectTimer?.Cancel();
        _network.StopListening(_address);
        foreach (var peer in _peers)
        {
            peer.Link?.Shut(graceful);
        }

        foreach (var socket in _leaked.Concat(_unclaimed))
        {
            if (graceful)
            {
                socket.Close();
            }
            else
            {
                socket.Abort();
            }
        }

        _leaked.Clear();
        _unclaimed.Clear();
    }

    public void SetPeers(ImmutableArray<string> peers)
    {
        foreach (var name in peers)
        {
            if (Find(name) is null)
            {
                _peers.Add(new Peer(name));
            }
        }
    }

    public bool Send(string peer, long linkId, WireMessageType type, ReadOnlyMemory<byte> plaintext)
    {
        if (Find(peer)?.Link is not { } link || link.Id != linkId)
        {
            return false;
        }

        // net_accept() sends nothing; only the side that dialled opens with STATE.
        if (!link.Socket.Outbound && link.FramesReceived == 0 && type == WireMessageType.Control
            && ControlMessage.TryRead(plaintext.Span, out var control) && control.Type == ControlType.State)
        {
            return true;
        }

        link.Send(type, plaintext);
        return true;
    }

    public void NotifyWhenDrained(string peer, long linkId, Action drained)
    {
        ArgumentNullException.ThrowIfNull(drained);
        if (Find(peer)?.Link is { } link && link.Id == linkId)
        {
            link.NotifyWhenDrained(drained);
        }
        else
        {
            drained();
        }
    }

    public long QueuedBytes(string peer) => Find(peer)?.Link?.QueuedBytes ?? 0;

    /// <summary>The original keeps no failure record: one socket or none per peer.</summary>
    public ImmutableDictionary<string, Sessions.PeerSessionStatus> SessionStatus() =>
        _peers.ToImmutableDictionary(p => p.Name, p => new Sessions.PeerSessionStatus(0, null, Sessions.PeerKind.Unknown, p.Link is null ? 0 : 1), StringComparer.Ordinal);

    /// <summary>net_connect(): a blocking connect to each peer without a socket, in turn; nothing else runs meanwhile.</summary>
    public void DialNow()
    {
        var missing = _peers.Where(p => p.Link is null).ToList();
        if (_stopped || missing.Count == 0)
        {
            return;
        }

        _process.Block();
        DialNext(missing, 0);
    }

    public void Close(string peer, string reason)
    {
        if (Find(peer) is { } p)
        {
            CloseLink(p, reason);
        }
    }

    /// <summary>The original has no redial of its own choosing: the socket closes as in <see cref="Close"/>, and the next dial comes with the reconnect timer or a carp change.</summary>
    public void Restart(string peer, string reason) => Close(peer, reason);

    private Peer? Find(string name) => _peers.FirstOrDefault(p => p.Name == name);

    private void ArmReconnect() => _reconnectTimer = _process.Scheduler.Schedule(ReconnectInterval, () =>
    {
        _process.Post(DialNow);
        ArmReconnect();
    });

    private void DialNext(List<Peer> peers, int index)
    {
        if (index == peers.Count || _stopped || !_process.Alive)
        {
            if (_process.Alive)
            {
                _process.Unblock();
            }

            return;
        }

        var peer = peers[index];
        _trace.Add(_process.Name, $"dial {peer.Name} (blocking)");
        _network.Connect(_address, peer.Name, ConnectAlarm, (socket, error) =>
        {
            if (!_process.Alive || _stopped)
            {
                socket?.Abort();
                return;
            }

            if (socket is null)
            {
                _trace.Add(_process.Name, $"dial {peer.Name} failed: {error}");
            }
            else if (peer.Link is null)
            {
                Adopt(peer, socket);
            }
            else
            {
                // An accept during our connect cannot happen (we were blocked); keep the accepted one's rule anyway.
                Replace(peer, socket);
            }

            DialNext(peers, index + 1);
        });
    }

    private void OnAccepted(SimulatedSocket socket)
    {
        _unclaimed.Remove(socket);
        if (_stopped)
        {
            socket.Abort();
            return;
        }

        if (Find(socket.Remote) is not { } peer)
        {
            RefusedConnections++;
            socket.Close();
            return;
        }

        if (peer.Link is null)
        {
            Adopt(peer, socket);
        }
        else
        {
            Replace(peer, socket);
        }
    }

    // p->socket = s, leaking the previous socket: still open, never read or written again.
    private void Replace(Peer peer, SimulatedSocket socket)
    {
        var old = peer.Link!;
        old.Abandon();
        _leaked.Add(old.Socket);
        _trace.Add(_process.Name, $"peer {peer.Name}: {socket} becomes its socket; {old.Socket} left open and unread");
        peer.Link = null;
        Adopt(peer, socket);
    }

    private void Adopt(Peer peer, SimulatedSocket socket)
    {
        var link = new OriginalLink(this, peer, ++_nextLinkId, socket);
        peer.Link = link;
        _observations.SessionUp(_process.Name, peer.Name);
        _trace.Add(_process.Name, $"peer {peer.Name}: session {link.Id} on {socket} ({(socket.Outbound ? "dialled" : "accepted")})");
        _deliver(new PeerLinkUp(peer.Name, link.Id, socket.Outbound, new IPEndPoint(IPAddress.Parse(socket.Remote), 0)));
        link.Start(_codecs());
    }

    private void CloseLink(Peer peer, string reason, OriginalLink? expected = null)
    {
        if (peer.Link is not { } link || (expected is not null && expected != link))
        {
            return;
        }

        peer.Link = null;
        link.Shut(graceful: true);
        _trace.Add(_process.Name, $"peer {peer.Name}: session {link.Id} closed: {reason}");
        _deliver(new PeerLinkDown(peer.Name, link.Id, reason));
    }

    private sealed class Peer(string name)
    {
        public string Name { get; } = name;

        public OriginalLink? Link { get; set; }
    }

    private sealed class OriginalLink(OriginalPeerSessions owner, Peer peer, long id, SimulatedSocket socket)
    {
        private readonly Queue<(WireMessageType Type, ReadOnlyMemory<byte> Plaintext)> _queue = new();
        private readonly ByteQueue _received = new();
        private readonly ArrayBufferWriter<byte> _batch = new(8192);
        private IFrameCodecFactory? _codecs;
        private IFrameEncoder? _encoder;
        private IFrameDecoder? _decoder;
        private Action? _drained;
        private long _skip;
        private bool _abandoned;
        private bool _readPosted;
        private bool _writePosted;

        public long Id { get; } = id;

        public SimulatedSocket Socket { get; } = socket;

        public long QueuedBytes { get; private set; }

        public long FramesReceived { get; private set; }

        public void Start(IFrameCodecFactory codecs)
        {
            _codecs = codecs;
            _encoder = codecs.CreateEncoder();
            _decoder = codecs.CreateDecoder();
            Socket.Readable = PostRead;
            Socket.Writable = PostWrite;
            PostRead();
        }

        public void Send(WireMessageType type, ReadOnlyMemory<byte> plaintext)
        {
            QueuedBytes += plaintext.Length + 64L;
            _queue.Enqueue((type, plaintext));
            PostWrite();
        }

        public void NotifyWhenDrained(Action drained)
        {
            _drained = drained;
            if (QueuedBytes <= 256 * 1024 || _abandoned)
            {
                var d = _drained;
                _drained = null;
                d?.Invoke();
            }
        }

        /// <summary>Left behind: the socket stays open but nobody looks at it again.</summary>
        public void Abandon()
        {
            _abandoned = true;
            _queue.Clear();
            Socket.Readable = null;
            Socket.Writable = null;
            var d = _drained;
            _drained = null;
            d?.Invoke();
        }

        public void Shut(bool graceful)
        {
            Abandon();
            if (graceful)
            {
                Socket.Close();
            }
            else
            {
                Socket.Abort();
            }
        }

        private void PostRead()
        {
            if (!_readPosted)
            {
                _readPosted = true;
                owner._process.Post(Read);
            }
        }

        private void PostWrite()
        {
            if (!_writePosted)
            {
                _writePosted = true;
                owner._process.Post(Write);
            }
        }

        private void Read()
        {
            _readPosted = false;
            if (_abandoned)
            {
                return;
            }

            Socket.ReadAll(_received);
            List<ReceivedFrame>? frames = null;
            while (true)
            {
                if (_skip > 0)
                {
                    var skipped = (int)Math.Min(_skip, _received.Count);
                    _received.Consume(skipped);
                    _skip -= skipped;
                    if (_skip > 0)
                    {
                        break;
                    }
                }

                var buffer = new ReadOnlySequence<byte>(_received.Memory);
                var before = buffer.Length;
                var status = _decoder!.TryDecode(ref buffer, out var type, out var plaintext, out _);
                _received.Consume((int)(before - buffer.Length));
                if (status == FrameDecodeStatus.NeedMoreData)
                {
                    break;
                }

                if (status == FrameDecodeStatus.Fatal)
                {
                    // The original drops a frame that fails its checks and reads on; a length out of range
                    // is skipped four bytes at a time.
                    _decoder = _codecs!.CreateDecoder();
                    if (_received.Count < 4)
                    {
                        _skip = 4;
                        continue;
                    }

                    var length = BinaryPrimitives.ReadUInt32BigEndian(_received.Memory.Span);
                    _skip = length is >= 60 and <= 4096 + 48 ? 4 + length : 4;
                    continue;
                }

                FramesReceived++;
                if (type == WireMessageType.Control && !IsKnownControl(plaintext))
                {
                    continue; // unknown control types are logged and ignored
                }

                (frames ??= []).Add(new ReceivedFrame(type, plaintext));
            }

            if (frames is not null)
            {
                owner._deliver(new PeerLinkFrames(peer.Name, Id, frames));
            }

            if (Socket.Error is { } error)
            {
                owner.CloseLink(peer, error, this);
            }
            else if (Socket.AtEnd)
            {
                owner.CloseLink(peer, "connection closed by peer", this);
            }
        }

        private static bool IsKnownControl(byte[] plaintext) =>
            plaintext.Length >= ControlMessage.Size
            && BinaryPrimitives.ReadUInt32BigEndian(plaintext) is (uint)ControlType.State or (uint)ControlType.Error or (uint)ControlType.Ack or (uint)ControlType.EndSnapshot;

        private void Write()
        {
            _writePosted = false;
            while (!_abandoned && _queue.Count > 0 && Socket.Space > 0)
            {
                _batch.ResetWrittenCount();
                long cost = 0;
                while (_batch.WrittenCount < 16 * 1024 && _queue.TryDequeue(out var frame))
                {
                    cost += frame.Plaintext.Length + 64L;
                    if (!_encoder!.TryEncode(frame.Type, frame.Plaintext.Span, _batch, out _))
                    {
                        cost -= frame.Plaintext.Length + 64L;
                        QueuedBytes -= frame.Plaintext.Length + 64L;
                    }
                }

                if (!Socket.Write(_batch.WrittenSpan.ToArray()))
                {
                    owner.CloseLink(peer, Socket.Error ?? "connection closed", this);
                    return;
                }

                QueuedBytes -= cost;
            }

            if (QueuedBytes <= 256 * 1024 && _drained is { } d)
            {
                _drained = null;
                d();
            }
        }
    }
}
