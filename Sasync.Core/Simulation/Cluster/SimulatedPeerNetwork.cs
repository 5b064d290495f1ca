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

    // The legacy rules redial at once after any session that ended, and a routine end is no fault.
    public void Restart(string peer, string reason)
    {
        if (Find(peer) is { } slot)
        {
            CloseActive(slot, reason, routine: true);
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
        var link = new FramedConnection(_process, ++_nextLinkId, socket, _options.MaxQueuedBytesPerPeer, _options.DrainedBytes);
        var facts = new SessionFacts(socket.Outbound ? socket.Local : socket.Remote, socket.Outbound, now, HandshakeDone: false);
        if (slot.Active is { } existing)
        {
            if (!slot.Rules.NewReplacesExisting(slot.ActiveFacts!, facts, now))
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
        slot.ActiveFacts = facts;
        slot.Rules.SessionUp(now);
        _observations.SessionUp(_process.Name, slot.Name);
        _trace.Add(_process.Name, $"peer {slot.Name}: session {link.Id} up on {socket} ({(socket.Outbound ? "dialled" : "accepted")})");
        _deliver(new PeerLinkUp(slot.Name, link.Id, socket.Outbound, new IPEndPoint(IPAddress.Parse(socket.Remote), 0)));
        link.Start(
            _codecs(),
            (connection, frames) => _deliver(new PeerLinkFrames(slot.Name, connection.Id, frames)),
            (connection, reason) => CloseActive(slot, reason, expected: connection),
            wakeWriter: false);
    }

    private void CloseActive(Slot slot, string reason, bool routine = false, FramedConnection? expected = null)
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

        public FramedConnection? Active { get; set; }

        /// <summary>What the rules know of <see cref="Active"/>.</summary>
        public SessionFacts? ActiveFacts { get; set; }

        public bool Dialling { get; set; }

        public ScheduledAction? Redial { get; set; }

        public bool Retired { get; set; }
    }
}
