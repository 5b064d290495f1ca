using System.Buffers;
using System.Collections.Immutable;
using System.Net;
using Sasync.Core.Net;
using Sasync.Core.Wire;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// A sasyncd-cs node's peer network over the <see cref="SimulatedNetwork"/>: what <see cref="PeerNetwork"/>
/// does over TCP, with the real frame codec, and with the session decisions left to an
/// <see cref="ISessionRules"/>. Runs entirely on its <see cref="SimulatedProcess"/>; reports sessions
/// and frames with <see cref="PeerLinkUp"/>, <see cref="PeerLinkFrames"/> and <see cref="PeerLinkDown"/>.
/// </summary>
internal sealed class SimulatedPeerNetwork : ISimulatedShell
{
    // Frames written to the socket in one go, at most.
    private const int CoalesceBytes = 16 * 1024;

    private readonly SimulatedProcess _process;
    private readonly SimulatedNetwork _network;
    private readonly string _address;
    private readonly SimulatedPeerNetworkOptions _options;
    private readonly ISessionRules _rules;
    private readonly Func<IFrameCodecFactory> _codecs;
    private readonly Action<object> _deliver;
    private readonly TimeProvider _time;
    private readonly SimulationTrace _trace;
    private readonly ClusterObservations _observations;
    private readonly List<Slot> _slots = [];
    private readonly HashSet<SimulatedSocket> _unclaimed = [];
    private long _nextLinkId;
    private bool _stopped;

    public SimulatedPeerNetwork(
        SimulatedProcess process,
        SimulatedNetwork network,
        string address,
        SimulatedPeerNetworkOptions options,
        ISessionRules rules,
        Func<IFrameCodecFactory> codecs,
        Action<object> deliver,
        TimeProvider time,
        SimulationTrace trace,
        ClusterObservations observations)
    {
        _process = process;
        _network = network;
        _address = address;
        _options = options;
        _rules = rules;
        _codecs = codecs;
        _deliver = deliver;
        _time = time;
        _trace = trace;
        _observations = observations;
    }

    public long RefusedConnections { get; private set; }

    public long SlowPeerDrops { get; private set; }

    /// <summary>Starts listening (false when the address is taken) and dialling <paramref name="peers"/>.</summary>
    public bool Start(ImmutableArray<string> peers)
    {
        SetPeers(peers);
        return _network.Listen(_address, socket =>
        {
            _unclaimed.Add(socket);
            _process.Post(() => OnAccepted(socket));
        });
    }

    /// <summary>The process died: the kernel closes every socket (<paramref name="graceful"/>: FIN, else RST).</summary>
    public void Stop(bool graceful)
    {
        _stopped = true;
        _network.StopListening(_address);
        foreach (var slot in _slots)
        {
            slot.Redial?.Cancel();
            if (slot.Active is { } link)
            {
                link.Shut(graceful);
            }
        }

        foreach (var socket in _unclaimed)
        {
            socket.Abort();
        }

        _unclaimed.Clear();
    }

    public void SetPeers(ImmutableArray<string> peers)
    {
        foreach (var name in peers)
        {
            if (Find(name) is null)
            {
                var slot = new Slot(name, _rules.CreateState(name));
                _slots.Add(slot);
                Wake(slot, TimeSpan.Zero);
            }
        }

        foreach (var slot in _slots.Where(s => !peers.Contains(s.Name)).ToList())
        {
            _slots.Remove(slot);
            slot.Retired = true;
            slot.Redial?.Cancel();
            CloseActive(slot, "peer removed from the configuration", routine: true);
        }
    }

    public bool Send(string peer, long linkId, WireMessageType type, ReadOnlyMemory<byte> plaintext)
    {
        if (Find(peer) is not { Active: { } link } slot || link.Id != linkId)
        {
            return false;
        }

        if (link.TrySend(type, plaintext))
        {
            return true;
        }

        SlowPeerDrops++;
        CloseActive(slot, $"peer cannot keep up ({link.QueuedBytes} bytes queued)");
        return false;
    }

    public void NotifyWhenDrained(string peer, long linkId, Action drained)
    {
        ArgumentNullException.ThrowIfNull(drained);
        if (Find(peer) is { Active: { } link } && link.Id == linkId)
        {
            link.NotifyWhenDrained(drained);
        }
        else
        {
            drained();
        }
    }

    public long QueuedBytes(string peer) => Find(peer)?.Active?.QueuedBytes ?? 0;

    /// <summary>The legacy rules kept no per-peer failure record.</summary>
    public ImmutableDictionary<string, Sessions.PeerSessionStatus> SessionStatus() =>
        _slots.ToImmutableDictionary(s => s.Name, s => new Sessions.PeerSessionStatus(0, null, Sessions.PeerKind.Unknown, s.Active is null ? 0 : 1), StringComparer.Ordinal);

    public void DialNow()
    {
        foreach (var slot in _slots)
        {
            slot.Rules.DialRequested();
            Wake(slot, TimeSpan.Zero);
        }
    }

    public void Close(string peer, string reason)
    {
        if (Find(peer) is { } slot)
        {
            CloseActive(slot, reason);
        }
    }

    private Slot? Find(string peer)
    {
        foreach (var slot in _slots)
        {
            if (slot.Name == peer)
            {
                return slot;
            }
        }

        return null;
    }

    // The dial loop of one peer: dial when there is no session and no dial or wait under way.
    private void Wake(Slot slot, TimeSpan after)
    {
        slot.Redial?.Cancel();
        slot.Redial = null;
        if (after > TimeSpan.Zero)
        {
            slot.Redial = _process.Scheduler.Schedule(after, () => _process.Post(() =>
            {
                slot.Redial = null;
                Dial(slot);
            }));
            return;
        }

        Dial(slot);
    }

    private void Dial(Slot slot)
    {
        if (_stopped || slot.Retired || slot.Active is not null || slot.Dialling || slot.Redial is not null)
        {
            return;
        }

        slot.Dialling = true;
        _trace.Add(_process.Name, $"dial {slot.Name}");
        _network.Connect(_address, slot.Name, _options.ConnectTimeout, (socket, error) =>
        {
            if (!_process.Alive || _stopped)
            {
                socket?.Abort();
                return;
            }

            if (socket is not null)
            {
                _unclaimed.Add(socket);
            }

            _process.Post(() =>
            {
                slot.Dialling = false;
                if (socket is null)
                {
                    _trace.Add(_process.Name, $"dial {slot.Name} failed: {error}");
                    if (!slot.Retired && slot.Active is null)
                    {
                        Wake(slot, slot.Rules.DialFailed(_time.GetUtcNow()));
                    }

                    return;
                }

                _unclaimed.Remove(socket);
                if (slot.Retired)
                {
                    socket.Close();
                    return;
                }

                Register(slot, socket);
            });
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

        var slot = Find(socket.Remote);
        if (slot is null)
        {
            RefusedConnections++;
            _trace.Add(_process.Name, $"refused {socket}: not a configured peer");
            socket.Close();
            return;
        }

        Register(slot, socket);
    }

    private void Register(Slot slot, SimulatedSocket socket)
    {
        var now = _time.GetUtcNow();
        var link = new Link(this, slot, ++_nextLinkId, socket, now);
        if (slot.Active is { } existing)
        {
            if (!slot.Rules.NewReplacesExisting(existing.Facts, link.Facts, now))
            {
                _trace.Add(_process.Name, $"peer {slot.Name}: {socket} dropped as a duplicate of {existing.Socket}");
                socket.Close();
                return;
            }

            _trace.Add(_process.Name, $"peer {slot.Name}: {socket} replaces {existing.Socket}");
            slot.Active = null;
            existing.Shut(graceful: true);
            _deliver(new PeerLinkDown(slot.Name, existing.Id, "replaced by a newer connection", Routine: true));
        }

        slot.Active = link;
        slot.Rules.SessionUp(now);
        _observations.SessionUp(_process.Name, slot.Name);
        _trace.Add(_process.Name, $"peer {slot.Name}: session {link.Id} up on {socket} ({(socket.Outbound ? "dialled" : "accepted")})");
        _deliver(new PeerLinkUp(slot.Name, link.Id, socket.Outbound, new IPEndPoint(IPAddress.Parse(socket.Remote), 0)));
        link.Start(_codecs());
    }

    private void CloseActive(Slot slot, string reason, bool routine = false, Link? expected = null)
    {
        if (slot.Active is not { } link || (expected is not null && link != expected))
        {
            return;
        }

        slot.Active = null;
        link.Shut(graceful: true);
        _trace.Add(_process.Name, $"peer {slot.Name}: session {link.Id} down: {reason}");
        _deliver(new PeerLinkDown(slot.Name, link.Id, reason, routine));
        if (!slot.Retired)
        {
            // The dial loop runs beside the accept loop: it dials before an accept already waiting is handled.
            Wake(slot, slot.Rules.SessionEnded(_time.GetUtcNow(), routine, link.FramesReceived > 0 && link.FramesSent > 0));
        }
    }

    private sealed class Slot(string name, ISessionRuleState rules)
    {
        public string Name { get; } = name;

        public ISessionRuleState Rules { get; } = rules;

        public Link? Active { get; set; }

        public bool Dialling { get; set; }

        public ScheduledAction? Redial { get; set; }

        public bool Retired { get; set; }
    }

    /// <summary>One session: a reader that decodes frames and a writer that frames a bounded queue into the socket.</summary>
    private sealed class Link(SimulatedPeerNetwork owner, Slot slot, long id, SimulatedSocket socket, DateTimeOffset openedAt)
    {
        private readonly Queue<(WireMessageType Type, ReadOnlyMemory<byte> Plaintext)> _queue = new();
        private readonly ByteQueue _received = new();
        private readonly ArrayBufferWriter<byte> _batch = new(CoalesceBytes + 4200);
        private IFrameEncoder? _encoder;
        private IFrameDecoder? _decoder;
        private Action? _drained;
        private bool _readPosted;
        private bool _writePosted;
        private bool _shut;

        public long Id { get; } = id;

        public SimulatedSocket Socket { get; } = socket;

        public SessionFacts Facts { get; } = new(socket.Outbound ? socket.Local : socket.Remote, socket.Outbound, openedAt, HandshakeDone: false);

        public long QueuedBytes { get; private set; }

        public long FramesReceived { get; private set; }

        public long FramesSent { get; private set; }

        public void Start(IFrameCodecFactory codecs)
        {
            _encoder = codecs.CreateEncoder();
            _decoder = codecs.CreateDecoder();
            Socket.Readable = PostRead;
            Socket.Writable = PostWrite;
            PostRead();
        }

        public bool TrySend(WireMessageType type, ReadOnlyMemory<byte> plaintext)
        {
            var cost = plaintext.Length + 64L;
            if (_shut || QueuedBytes + cost > owner._options.MaxQueuedBytesPerPeer)
            {
                return false;
            }

            QueuedBytes += cost;
            _queue.Enqueue((type, plaintext));
            PostWrite();
            return true;
        }

        public void NotifyWhenDrained(Action drained)
        {
            _drained = drained;
            if (QueuedBytes <= owner._options.DrainedBytes || _shut)
            {
                FireDrained();
            }
        }

        private void FireDrained()
        {
            var drained = _drained;
            _drained = null;
            drained?.Invoke();
        }

        public void Shut(bool graceful)
        {
            if (_shut)
            {
                return;
            }

            _shut = true;
            _queue.Clear();
            if (graceful)
            {
                Socket.Close();
            }
            else
            {
                Socket.Abort();
            }

            FireDrained();
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
            if (_shut)
            {
                return;
            }

            Socket.ReadAll(_received);
            List<ReceivedFrame>? frames = null;
            string? failure = null;
            var buffer = new ReadOnlySequence<byte>(_received.Memory);
            var before = buffer.Length;
            while (true)
            {
                var status = _decoder!.TryDecode(ref buffer, out var type, out var plaintext, out var error);
                if (status == FrameDecodeStatus.Frame)
                {
                    (frames ??= []).Add(new ReceivedFrame(type, plaintext));
                    continue;
                }

                if (status == FrameDecodeStatus.Fatal)
                {
                    failure = $"bad frame: {error}";
                }

                break;
            }

            _received.Consume((int)(before - buffer.Length));
            if (frames is not null)
            {
                FramesReceived += frames.Count;
                owner._deliver(new PeerLinkFrames(slot.Name, Id, frames));
            }

            failure ??= Socket.Error ?? (Socket.AtEnd ? "connection closed by peer" : null);
            if (failure is not null)
            {
                owner.CloseActive(slot, failure, expected: this);
            }
        }

        private void Write()
        {
            _writePosted = false;
            while (!_shut && _queue.Count > 0 && Socket.Space > 0)
            {
                _batch.ResetWrittenCount();
                long cost = 0;
                while (_batch.WrittenCount < CoalesceBytes && _queue.TryDequeue(out var frame))
                {
                    cost += frame.Plaintext.Length + 64L;
                    if (!_encoder!.TryEncode(frame.Type, frame.Plaintext.Span, _batch, out var error))
                    {
                        owner.CloseActive(slot, $"cannot frame a message: {error}", expected: this);
                        return;
                    }

                    FramesSent++;
                }

                if (!Socket.Write(_batch.WrittenSpan.ToArray()))
                {
                    owner.CloseActive(slot, Socket.Error ?? "connection closed", expected: this);
                    return;
                }

                QueuedBytes -= cost;
                if (QueuedBytes <= owner._options.DrainedBytes && _drained is not null)
                {
                    FireDrained();
                }
            }
        }
    }
}
