using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Logging;
using Sasync.Core.Net;
using Sasync.Core.Sessions;
using Sasync.Core.Wire;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// A sasyncd-cs node's peer network over the <see cref="SimulatedNetwork"/>, driven by the pure
/// <see cref="PeerSessionRules"/>: the in-memory counterpart of the TCP shell. It owns the connections,
/// reports to the rules what the network did (opened, frame, closed, dial failed), carries out their
/// decisions in order, and polls them at their deadline on the virtual clock.
/// </summary>
internal sealed class SessionRulesPeerNetwork : ISimulatedShell
{
    private readonly SimulatedProcess _process;
    private readonly SimulatedNetwork _network;
    private readonly string _address;
    private readonly SimulatedPeerNetworkOptions _options;
    private readonly SessionRulesOptions _rulesOptions;
    private readonly HelloMessage _hello;
    private readonly Func<IFrameCodecFactory> _codecs;
    private readonly Action<object> _deliver;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly SimulationTrace _trace;
    private readonly ClusterObservations _observations;
    private readonly List<Slot> _slots = [];
    private readonly Dictionary<long, (Slot Slot, FramedConnection Connection)> _connections = [];
    private readonly HashSet<SimulatedSocket> _unclaimed = [];
    private readonly List<SessionDecision> _decisions = [];
    private long _nextId;
    private bool _stopped;

    public SessionRulesPeerNetwork(
        SimulatedProcess process,
        SimulatedNetwork network,
        string address,
        SimulatedPeerNetworkOptions options,
        SessionRulesOptions rulesOptions,
        Func<IFrameCodecFactory> codecs,
        Action<object> deliver,
        TimeProvider time,
        Random random,
        SimulationTrace trace,
        ClusterObservations observations)
    {
        ArgumentNullException.ThrowIfNull(random);
        _process = process;
        _network = network;
        _address = address;
        _options = options;
        _rulesOptions = rulesOptions;
        _codecs = codecs;
        _deliver = deliver;
        _time = time;
        _random = random;
        _trace = trace;
        _observations = observations;
        // One instance id per process: a restart shows as a new one.
        _hello = new HelloMessage(HelloMessage.CurrentVersion, 0, new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64()));
    }

    public long RefusedConnections { get; private set; }

    public long SlowPeerDrops { get; private set; }

    public bool Start(ImmutableArray<string> peers)
    {
        SetPeers(peers);
        return _network.Listen(_address, socket =>
        {
            _unclaimed.Add(socket);
            _process.Post(() => OnAccepted(socket));
        });
    }

    public void Stop(bool graceful)
    {
        _stopped = true;
        _network.StopListening(_address);
        foreach (var slot in _slots)
        {
            slot.Poll?.Cancel();
        }

        foreach (var (_, connection) in _connections.Values)
        {
            connection.Shut(graceful);
        }

        foreach (var socket in _unclaimed)
        {
            socket.Abort();
        }

        _connections.Clear();
        _unclaimed.Clear();
    }

    public void SetPeers(ImmutableArray<string> peers)
    {
        foreach (var name in peers)
        {
            if (Find(name) is null)
            {
                var slot = new Slot(name, new PeerSessionRules(name, _hello, _rulesOptions, _time, _random, bytes => _random.NextBytes(bytes)));
                _slots.Add(slot);
                Poll(slot);
            }
        }

        foreach (var slot in _slots.Where(s => !peers.Contains(s.Name)).ToList())
        {
            _slots.Remove(slot);
            slot.Poll?.Cancel();
            slot.Rules.Retire("peer removed from the configuration", _decisions);
            Apply(slot);
        }
    }

    public bool Send(string peer, long linkId, WireMessageType type, ReadOnlyMemory<byte> plaintext)
    {
        if (Find(peer) is not { } slot || slot.Carrier != linkId || !_connections.TryGetValue(linkId, out var entry))
        {
            return false;
        }

        if (!entry.Connection.TrySend(type, plaintext))
        {
            SlowPeerDrops++;
            var reason = $"peer cannot keep up ({entry.Connection.QueuedBytes} bytes queued)";
            CloseAndReport(slot, entry.Connection, reason);
            return false;
        }

        slot.Rules.OnSent(linkId, type, plaintext.Span);
        return true;
    }

    public void NotifyWhenDrained(string peer, long linkId, Action drained)
    {
        ArgumentNullException.ThrowIfNull(drained);
        if (Find(peer) is { } slot && slot.Carrier == linkId && _connections.TryGetValue(linkId, out var entry))
        {
            entry.Connection.NotifyWhenDrained(drained);
        }
        else
        {
            drained();
        }
    }

    public ImmutableDictionary<string, PeerSessionStatus> SessionStatus() =>
        _slots.ToImmutableDictionary(s => s.Name, s => new PeerSessionStatus(s.Rules.FailedAttempts, s.Rules.NextAttemptAt, s.Rules.Kind, s.Rules.OpenConnections, s.Rules.Channel), StringComparer.Ordinal);

    public long QueuedBytes(string peer) =>
        Find(peer) is { Carrier: { } carrier } && _connections.TryGetValue(carrier, out var entry) ? entry.Connection.QueuedBytes : 0;

    public void DialNow()
    {
        foreach (var slot in _slots)
        {
            slot.Rules.DialNow();
            Poll(slot);
        }
    }

    public void Close(string peer, string reason)
    {
        if (Find(peer) is { Carrier: { } carrier } slot && _connections.TryGetValue(carrier, out var entry))
        {
            CloseAndReport(slot, entry.Connection, reason);
        }
    }

    public void Restart(string peer, string reason)
    {
        if (Find(peer) is { } slot)
        {
            _trace.Add(_process.Name, $"peer {slot.Name}: restart: {reason}");
            slot.Rules.Restart(reason, _decisions);
            Apply(slot);
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

    private void CloseAndReport(Slot slot, FramedConnection connection, string reason)
    {
        connection.Shut(graceful: true);
        _connections.Remove(connection.Id);
        _trace.Add(_process.Name, $"peer {slot.Name}: c{connection.Socket.ConnectionId} closed: {reason}");
        slot.Rules.OnClosed(connection.Id, reason, _decisions);
        Apply(slot);
    }

    private void Poll(Slot slot)
    {
        if (_stopped)
        {
            return;
        }

        slot.Rules.Poll(_decisions);
        Apply(slot);
    }

    // Carries out the rules' decisions in order, then sets the next poll.
    private void Apply(Slot slot)
    {
        var decisions = _decisions.ToArray();
        _decisions.Clear();
        foreach (var decision in decisions)
        {
            switch (decision)
            {
                case SendControlOn send when _connections.TryGetValue(send.ConnectionId, out var entry):
                    entry.Connection.TrySend(WireMessageType.Control, send.Plaintext);
                    break;
                case CloseConnection close when _connections.Remove(close.ConnectionId, out var entry):
                    _trace.Add(_process.Name, $"peer {slot.Name}: close c{entry.Connection.Socket.ConnectionId}: {close.Reason}");
                    entry.Connection.Shut(graceful: true);
                    if (close.Rejected is { } rejected)
                    {
                        _deliver(new PeerLinkDown(slot.Name, close.ConnectionId, close.Reason, false, rejected));
                    }

                    break;
                case SwitchToExtendedEncoder encoder when _connections.TryGetValue(encoder.ConnectionId, out var entry):
                    entry.Connection.UseEncoderFromHere(encoder.CreateEncoder());
                    break;
                case SwitchToExtendedDecoder decoder when _connections.TryGetValue(decoder.ConnectionId, out var entry):
                    _trace.Add(_process.Name, $"peer {slot.Name}: c{entry.Connection.Socket.ConnectionId} extended");
                    entry.Connection.UseDecoder(decoder.CreateDecoder());
                    break;
                case CarrierUp up when _connections.TryGetValue(up.ConnectionId, out var entry):
                    slot.Carrier = up.ConnectionId;
                    var socket = entry.Connection.Socket;
                    _trace.Add(_process.Name, $"peer {slot.Name}: c{socket.ConnectionId} carries the session");
                    _deliver(new PeerLinkUp(slot.Name, up.ConnectionId, up.Direction == ConnectionDirection.Outbound, new IPEndPoint(IPAddress.Parse(socket.Remote), 0), up.Channel));
                    break;
                case CarrierDown down:
                    if (slot.Carrier == down.ConnectionId)
                    {
                        slot.Carrier = null;
                    }

                    _deliver(new PeerLinkDown(slot.Name, down.ConnectionId, down.Reason, down.Routine));
                    break;
                case StartDial:
                    Dial(slot);
                    break;
                case SessionLog log:
                    if (log.Level >= LogLevel.Debug)
                    {
                        _trace.Add(_process.Name, log.Message);
                    }

                    break;
            }
        }

        if (_decisions.Count > 0)
        {
            Apply(slot);
            return;
        }

        slot.Poll?.Cancel();
        slot.Poll = null;
        if (!_stopped && slot.Rules.NextDeadline is { } due)
        {
            var delay = due - _time.GetUtcNow();
            slot.Poll = _process.Scheduler.Schedule(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, () => _process.Post(() => Poll(slot)));
        }
    }

    private void Dial(Slot slot)
    {
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
                if (socket is null)
                {
                    _trace.Add(_process.Name, $"dial {slot.Name} failed: {error}");
                    slot.Rules.OnDialFailed(error ?? "failed", _decisions);
                    Apply(slot);
                    return;
                }

                _unclaimed.Remove(socket);
                Open(slot, socket, ConnectionDirection.Outbound, IPAddress.Parse(_address));
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

        if (Find(socket.Remote) is not { } slot)
        {
            RefusedConnections++;
            _trace.Add(_process.Name, $"refused {socket}: not a configured peer");
            socket.Close();
            return;
        }

        Open(slot, socket, ConnectionDirection.Inbound, IPAddress.Parse(socket.Remote));
    }

    private void Open(Slot slot, SimulatedSocket socket, ConnectionDirection direction, IPAddress dialler)
    {
        var connection = new FramedConnection(_process, ++_nextId, socket, _options.MaxQueuedBytesPerPeer, _options.DrainedBytes);
        _connections[connection.Id] = (slot, connection);
        _observations.SessionUp(_process.Name, slot.Name);
        _trace.Add(_process.Name, $"peer {slot.Name}: {socket} open ({direction.ToString().ToLowerInvariant()})");
        var codecs = _codecs();
        connection.Start(codecs, (c, frames) => OnFrames(slot, c, frames), (c, reason) => OnClosed(slot, c, reason));
        slot.Rules.OnOpened(connection.Id, direction, dialler, codecs.Handshake, _decisions);
        Apply(slot);
    }

    private void OnFrames(Slot slot, FramedConnection connection, List<ReceivedFrame> frames)
    {
        foreach (var frame in frames)
        {
            if (!_connections.ContainsKey(connection.Id))
            {
                return;
            }

            var verdict = slot.Rules.OnFrame(connection.Id, frame.Type, frame.Plaintext.Span, _decisions);
            Apply(slot);
            if (verdict.Deliver)
            {
                _deliver(new PeerLinkFrames(slot.Name, verdict.CarrierId, [frame]));
            }
        }
    }

    private void OnClosed(Slot slot, FramedConnection connection, string reason)
    {
        if (!_connections.Remove(connection.Id))
        {
            return;
        }

        _trace.Add(_process.Name, $"peer {slot.Name}: c{connection.Socket.ConnectionId} ended: {reason}");
        slot.Rules.OnClosed(connection.Id, reason, _decisions);
        Apply(slot);
    }

    private sealed class Slot(string name, PeerSessionRules rules)
    {
        public string Name { get; } = name;

        public PeerSessionRules Rules { get; } = rules;

        public long? Carrier { get; set; }

        public ScheduledAction? Poll { get; set; }
    }
}
