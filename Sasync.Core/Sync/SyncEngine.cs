using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Logging;
using Sasync.Core.Config;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Sync.Digest;
using Sasync.Core.Wire;

namespace Sasync.Core.Sync;

/// <summary>
/// The master/backup state machine of sasyncd (DESIGN.md §3): events in, effects out, no I/O, no
/// threads. Not thread-safe: the host calls <see cref="Handle"/> and reads <see cref="Status"/> from
/// one loop. Time comes only from the <see cref="TimeProvider"/> given to the constructor.
/// </summary>
/// <remarks>
/// Host contract:
/// <list type="bullet">
/// <item>Hand <see cref="EngineStarted"/> first (initial carp link state, whether the carp group was already demoted).</item>
/// <item>Carry out the returned effects in order. Sends to one peer must keep their order; a send to a
/// peer that has gone is dropped. Answer <see cref="WriteToKernel"/>, <see cref="RequestKernelDump"/>
/// and <see cref="ControlDaemon"/> with their completion events, as later events (a dump for a snapshot
/// with its chunks first, a few at a time: the engine disposes each once read), and
/// <see cref="AwaitPeerDrain"/> with <see cref="PeerDrained"/> once the peer's send queue has room.</item>
/// <item>Arm a real timer for each <see cref="ArmTimer"/> (replacing one of the same name), drop it on
/// <see cref="CancelTimer"/>, and hand <see cref="TimerFired"/> with the generation it was armed with
/// when its delay has passed; the engine never looks at the wall clock to judge a firing.</item>
/// <item>Carry out <see cref="ControlDaemon"/> one call per daemon at a time, and
/// <see cref="AdjustCarpDemotion"/> in order per group (NodeCore keeps both queues).</item>
/// <item>Hand <see cref="PeersChanged"/> when a reload changes the configured peers.</item>
/// <item>Identify peers by their configured peer string in every peer event; hand
/// <see cref="PeerConnected"/> once per session (after resolving a simultaneous connect) and
/// <see cref="PeerDisconnected"/> when it ends.</item>
/// </list>
/// </remarks>
public sealed class SyncEngine
{
    // A snapshot that restarted may hold up to 2^this times MaxHeldRelays changes.
    private const int MaxHoldGrowthShift = 4;

    private readonly SyncSettings _settings;
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, PeerEntry> _peers = new(StringComparer.Ordinal);
    private readonly List<PeerEntry> _peerOrder = [];
    private readonly HashSet<string> _configuredPeers = new(StringComparer.Ordinal);
    // The generation of each armed timer: a firing of any other generation is stale.
    private readonly Dictionary<EngineTimer, long> _timers = [];
    private long _timerGenerations;
    private readonly Dictionary<DaemonKind, DaemonState> _daemons = [];
    private readonly Dictionary<FilterReason, long> _filtered = [];
    private readonly Dictionary<FrameError, long> _framesRejectedByReason = [];
    // Made on the first effect of an event: most kernel messages (replies, broadcasts) have none.
    private List<EngineEffect>? _effects;
    // When set, effects go there as they are made (see IEngineEffectSink) and Handle returns none.
    private IEngineEffectSink? _sink;
    // The filter's view of us without mode skipslave never changes: made once.
    private SyncFilterContext? _fixedFilterContext;

    private DateTimeOffset? _startedAt;
    private bool _demotionHeld;
    private DateTimeOffset? _demotionReleasedAt;
    private string? _demotionReleaseReason;
    private bool _graceOver;
    private uint _kernelSequence;
    private long _dumpIds;
    // Rounds of the digest timer, counted as it is armed; a wait ends with the round it was given.
    private long _digestRounds;
    // A peer that claimed MASTER while we are MASTER has stepped down (found by the cluster simulator).
    private bool _secondMasterSteppedDown;

    private long _kernelMessagesSeen;
    private long _messagesRelayed;
    private long _kernelMessagesMalformed;
    private long _framesRejected;
    private long _kernelWrites;

    // Writes handed to the host whose outcome has not come back: a snapshot is complete only once
    // the kernel has taken everything that preceded its ENDSNAP.
    private int _kernelWritesPending;
    private long _kernelWriteErrors;
    private long _dumpErrors;
    private long _daemonControlErrors;

    /// <summary>An engine in its initial state; the host hands it <see cref="EngineStarted"/> before any other event.</summary>
    /// <param name="settings">The configuration: peers, carp interface and group, daemon modes, filters.</param>
    /// <param name="options">The pid the kernel knows this daemon by, and the timeouts and limits.</param>
    /// <param name="time">The only clock the engine reads.</param>
    public SyncEngine(SyncSettings settings, EngineOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _settings = settings;
        _options = options;
        _time = time;
        foreach (var peer in settings.Peers)
        {
            Entry(peer);
            _configuredPeers.Add(peer);
        }

        if (settings.Control is DaemonControlMode.Isakmpd or DaemonControlMode.All)
        {
            _daemons[DaemonKind.Isakmpd] = new DaemonState();
        }

        if (settings.Control is DaemonControlMode.Iked or DaemonControlMode.All)
        {
            _daemons[DaemonKind.Iked] = new DaemonState();
        }

        RunState = settings.Mode switch
        {
            RunMode.Master => RunState.Master,
            RunMode.Slave => RunState.Slave,
            _ => RunState.Init,
        };
    }

    /// <summary>Our run state.</summary>
    public RunState RunState { get; private set; }

    private bool Locked => _settings.Mode != RunMode.Auto;

    private bool IsMaster => RunState == RunState.Master;

    /// <summary>A consistent copy of the engine's state for the <c>status</c> command.</summary>
    public EngineStatus Status => new(
        RunState,
        Locked,
        new DemotionStatus(_demotionHeld, _demotionReleasedAt, _demotionReleaseReason),
        _startedAt,
        [.. _peerOrder.Select(p => p.ToStatus())],
        new EngineCounters(
            _kernelMessagesSeen, _messagesRelayed, _filtered.ToImmutableDictionary(), _kernelMessagesMalformed,
            _framesRejected, _kernelWrites, _kernelWriteErrors, _dumpErrors, _daemonControlErrors,
            _framesRejectedByReason.ToImmutableDictionary()));

    /// <summary>Sends every effect from now on to <paramref name="sink"/> as it is made; <see cref="Handle"/> then returns none.</summary>
    internal void AttachSink(IEngineEffectSink sink) => _sink = sink;

    /// <summary><see cref="Handle"/> of a <see cref="KernelMessageReceived"/>, without the event record; the effects go to the sink.</summary>
    internal void HandleKernelMessage(ReadOnlyMemory<byte> message)
    {
        _effects = null;
        OnKernelMessage(message);
    }

    /// <summary><see cref="Handle"/> of a <see cref="PeerFrameReceived"/>, without the event record; the effects go to the sink.</summary>
    internal void HandlePeerFrame(string peer, WireMessageType type, ReadOnlyMemory<byte> plaintext)
    {
        _effects = null;
        OnPeerFrame(peer, type, plaintext);
    }

    /// <summary>Handles one event and returns the effects the host must carry out, in order.</summary>
    public IReadOnlyList<EngineEffect> Handle(EngineEvent engineEvent)
    {
        ArgumentNullException.ThrowIfNull(engineEvent);
        _effects = null;
        switch (engineEvent)
        {
            case EngineStarted started: OnStarted(started); break;
            case CarpStateChanged changed: OnCarpStateChanged(changed); break;
            case KernelMessageReceived received: OnKernelMessage(received.Message); break;
            case PeerConnected connected: OnPeerConnected(connected); break;
            case PeerDisconnected disconnected: OnPeerDisconnected(disconnected); break;
            case PeerFrameReceived frame: OnPeerFrame(frame.Peer, frame.Type, frame.Plaintext); break;
            case TimerFired fired: OnTimerFired(fired); break;
            case DaemonControlCompleted completed: OnDaemonControlCompleted(completed); break;
            case KernelWriteCompleted written: OnKernelWriteCompleted(written); break;
            case KernelDumpChunkRead chunk: OnKernelDumpChunkRead(chunk); break;
            case KernelDumpCompleted dumped: OnKernelDumpCompleted(dumped); break;
            case PeerDrained drained: OnPeerDrained(drained); break;
            case PeersChanged changed: OnPeersChanged(changed); break;
            case LinkFrameRejected rejected: OnLinkFrameRejected(rejected); break;
            default: Emit(new Log(LogLevel.Warning, $"engine: unknown event {engineEvent.GetType().Name} ignored")); break;
        }

        return (IReadOnlyList<EngineEffect>?)_effects ?? [];
    }

    // ---- start and run state -------------------------------------------------------------------

    private void OnStarted(EngineStarted started)
    {
        if (_startedAt is not null)
        {
            Emit(new Log(LogLevel.Warning, "engine: started twice; ignored"));
            return;
        }

        _startedAt = _time.GetUtcNow();
        if (!Locked)
        {
            RunState = CarpRunState.FromLinkState(started.CarpLinkState);
        }

        Emit(new Log(LogLevel.Information, $"engine: starting as {RunState}{(Locked ? " (locked by mode)" : $" (carp link state {started.CarpLinkState})")}"));
        if (started.GroupDemoted)
        {
            // The boot sequence demoted carp; hold it down until our SAs are in sync.
            _demotionHeld = true;
            Emit(new AdjustCarpDemotion(_settings.CarpGroup, +1));
            Arm(EngineTimer.UndemoteDeadline, _options.UndemoteDeadline);
            Arm(EngineTimer.PeerReportGrace, _options.PeerReportGrace);
        }

        Emit(new SetPromiscuous(IsMaster));
        ControlDaemons();
        Emit(new ConnectMissingPeers());
        EvaluateUndemote();
    }

    private void OnCarpStateChanged(CarpStateChanged changed)
    {
        var state = CarpRunState.FromLinkState(changed.LinkState);
        if (Locked)
        {
            Emit(new Log(LogLevel.Debug, $"engine: carp link state {changed.LinkState} ignored, state locked to {RunState}"));
            return;
        }

        if (state == RunState)
        {
            return;
        }

        var wasMaster = IsMaster;
        Emit(new Log(LogLevel.Information, $"engine: carp link state {changed.LinkState}: {RunState} -> {state}"));
        RunState = state;
        if (wasMaster)
        {
            // A snapshot we were preparing is moot; the next MASTER period sends fresh ones.
            foreach (var peer in ConnectedPeers())
            {
                AbandonSnapshotDump(peer);
                SendAll(peer, peer.Session!.Snapshot.Reset());
            }
        }
        else if (IsMaster)
        {
            // A digest still being made came from a kernel our own IKE daemon may now change.
            foreach (var peer in ConnectedPeers())
            {
                AbandonDigestDump(peer);
            }
        }

        Emit(new SetPromiscuous(IsMaster));
        ControlDaemons();
        Emit(new ConnectMissingPeers());
        foreach (var peer in ConnectedPeers())
        {
            SendControl(peer, ControlMessage.StateOf(RunState));
        }

        foreach (var peer in ConnectedPeers())
        {
            MaybeStartSnapshot(peer);
            if (wasMaster && peer.Session!.RunState == RunState.Master)
            {
                // We were a second MASTER: the one that stayed will snapshot us in its current period.
                RequestDigestDump(peer);
            }
        }

        EvaluateUndemote();
    }

    // ---- daemon control --------------------------------------------------------------------------

    private sealed class DaemonState
    {
        public bool Active { get; set; }

        public bool Failed { get; set; }
    }

    private void ControlDaemons()
    {
        Cancel(EngineTimer.DaemonControlRetry);
        foreach (var (kind, state) in _daemons)
        {
            state.Active = IsMaster;
            state.Failed = false;
            Emit(new ControlDaemon(kind, IsMaster));
        }
    }

    private void OnDaemonControlCompleted(DaemonControlCompleted completed)
    {
        if (!_daemons.TryGetValue(completed.Daemon, out var state) || state.Active != completed.Active)
        {
            return; // a result for a state we have since left
        }

        if (completed.Failure is null)
        {
            state.Failed = false;
            Emit(new Log(LogLevel.Debug, $"engine: {completed.Daemon} is now {(completed.Active ? "active" : "passive")}"));
            if (_daemons.Values.All(d => !d.Failed))
            {
                Cancel(EngineTimer.DaemonControlRetry);
            }

            return;
        }

        _daemonControlErrors++;
        state.Failed = true;
        Emit(new Log(LogLevel.Warning, $"engine: could not make {completed.Daemon} {(completed.Active ? "active" : "passive")}: {completed.Failure.Message}; retrying in {_options.DaemonControlRetry.TotalSeconds:0.#} s"));
        if (!_timers.ContainsKey(EngineTimer.DaemonControlRetry))
        {
            Arm(EngineTimer.DaemonControlRetry, _options.DaemonControlRetry);
        }
    }

    private void RetryDaemonControl()
    {
        foreach (var (kind, state) in _daemons)
        {
            if (state.Failed)
            {
                state.Failed = false;
                Emit(new ControlDaemon(kind, state.Active));
            }
        }
    }

    // ---- timers ----------------------------------------------------------------------------------

    private void Arm(EngineTimer timer, TimeSpan delay)
    {
        var generation = ++_timerGenerations;
        _timers[timer] = generation;
        Emit(new ArmTimer(timer, generation, _time.GetUtcNow() + delay, delay));
    }

    private void Cancel(EngineTimer timer)
    {
        if (_timers.Remove(timer))
        {
            Emit(new CancelTimer(timer));
        }
    }

    private void OnTimerFired(TimerFired fired)
    {
        // Only the generation decides, never the wall clock: a clock stepped back must not make
        // a due timer look early, which would lose it for good.
        if (!_timers.TryGetValue(fired.Timer, out var generation) || generation != fired.Generation)
        {
            return; // cancelled, or re-armed since
        }

        _timers.Remove(fired.Timer);
        switch (fired.Timer)
        {
            case EngineTimer.UndemoteDeadline:
                Undemote($"{_options.UndemoteDeadline.TotalSeconds:0.#} s deadline reached");
                break;
            case EngineTimer.PeerReportGrace:
                _graceOver = true;
                EvaluateUndemote();
                break;
            case EngineTimer.DaemonControlRetry:
                RetryDaemonControl();
                break;
            case EngineTimer.DigestWait:
                OnDigestWaitOver();
                break;
        }
    }

    // ---- demotion --------------------------------------------------------------------------------

    private void EvaluateUndemote()
    {
        if (!_demotionHeld)
        {
            return;
        }

        if (IsMaster)
        {
            Undemote("we are MASTER");
            return;
        }

        // One pass, nothing allocated: while a snapshot comes in this runs after every kernel write.
        var connected = 0;
        var anyMaster = false;
        PeerEntry? synced = null;
        var allReported = true;
        var everyoneHere = true;
        foreach (var peer in _peerOrder)
        {
            if (peer.Session is not { } session)
            {
                everyoneHere = false;
                continue;
            }

            connected++;
            allReported &= session.RunState is not null;
            if (session.RunState == RunState.Master)
            {
                anyMaster = true;
                synced ??= session.SnapshotReceived ? peer : null;
            }
        }

        if (anyMaster)
        {
            if (synced is not null && _kernelWritesPending == 0)
            {
                Undemote($"snapshot from MASTER {synced.Name} complete");
            }

            return;
        }

        if (allReported && (_graceOver || everyoneHere))
        {
            Undemote(connected == 0 ? "no peer reachable" : "no MASTER among the peers");
        }
    }

    private void Undemote(string reason)
    {
        if (!_demotionHeld)
        {
            return;
        }

        _demotionHeld = false;
        _demotionReleasedAt = _time.GetUtcNow();
        _demotionReleaseReason = reason;
        Emit(new AdjustCarpDemotion(_settings.CarpGroup, -1));
        Emit(new Log(LogLevel.Information, $"engine: undemoting carp group {_settings.CarpGroup}: {reason}"));
        Cancel(EngineTimer.UndemoteDeadline);
        Cancel(EngineTimer.PeerReportGrace);
    }

    // ---- peers -----------------------------------------------------------------------------------

    private PeerEntry Entry(string name)
    {
        if (!_peers.TryGetValue(name, out var entry))
        {
            entry = new PeerEntry(name);
            _peers.Add(name, entry);
            _peerOrder.Add(entry);
        }

        return entry;
    }

    private void OnPeersChanged(PeersChanged changed)
    {
        var listed = new HashSet<string>(changed.Peers, StringComparer.Ordinal);
        var removed = _configuredPeers.Where(p => !listed.Contains(p)).ToList();
        foreach (var name in removed)
        {
            _peerOrder.Remove(_peers[name]);
            _peers.Remove(name);
            Emit(new Log(LogLevel.Information, $"engine: peer {name} removed from the configuration"));
        }

        var others = _peerOrder.Where(p => !_configuredPeers.Contains(p.Name) && !listed.Contains(p.Name)).ToList();
        _configuredPeers.Clear();
        _peerOrder.Clear();
        foreach (var name in changed.Peers)
        {
            if (_configuredPeers.Add(name))
            {
                _peerOrder.Add(_peers.TryGetValue(name, out var entry) ? entry : NewEntry(name));
            }
        }

        // Peers that connected without being configured keep their place after the configured ones.
        _peerOrder.AddRange(others);
        EvaluateUndemote();
    }

    private PeerEntry NewEntry(string name)
    {
        var entry = new PeerEntry(name);
        _peers.Add(name, entry);
        return entry;
    }

    private IEnumerable<PeerEntry> ConnectedPeers() => _peerOrder.Where(p => p.Connected);

    private void OnPeerConnected(PeerConnected connected)
    {
        var peer = Entry(connected.Peer);
        if (peer.Connected)
        {
            Emit(new Log(LogLevel.Debug, $"engine: peer {peer.Name} reconnected; the old session is forgotten"));
        }

        peer.Session = new PeerSession(connected.Direction, connected.Addresses, _time.GetUtcNow(), connected.Channel);
        Emit(new Log(LogLevel.Debug, $"engine: peer {peer.Name} connected ({connected.Direction.ToString().ToLowerInvariant()}, {connected.Channel.ToString().ToLowerInvariant()} channel)"));
        SendControl(peer, ControlMessage.StateOf(RunState));
        EvaluateUndemote();
    }

    private void OnPeerDisconnected(PeerDisconnected disconnected)
    {
        if (disconnected.BadFrame is { } badFrame)
        {
            // The wire layer closed the session on a frame it could not read: a rejected frame too.
            CountWireRejection(badFrame);
        }

        if (!_peers.TryGetValue(disconnected.Peer, out var peer) || !peer.Connected)
        {
            return;
        }

        AbandonSnapshotDump(peer);
        AbandonDigestDump(peer);
        _ = peer.Session!.Snapshot.Reset(); // its dump chunks go back; the held changes have no one to go to
        peer.Session = null;
        if (!disconnected.Routine)
        {
            peer.LastError = $"session ended: {disconnected.Reason}";
        }

        Emit(new Log(LogLevel.Debug, $"engine: peer {peer.Name} disconnected: {disconnected.Reason}"));
        EvaluateUndemote();
    }

    private void OnLinkFrameRejected(LinkFrameRejected rejected)
    {
        CountWireRejection(rejected.BadFrame);
        if (_peers.TryGetValue(rejected.Peer, out var peer))
        {
            peer.LastError = $"session ended: {rejected.Reason}";
        }

        Emit(new Log(LogLevel.Debug, $"engine: a connection with {rejected.Peer} ended on a bad frame: {rejected.Reason}"));
    }

    private void CountWireRejection(FrameError error)
    {
        _framesRejected++;
        _framesRejectedByReason[error] = _framesRejectedByReason.GetValueOrDefault(error) + 1;
    }

    private void SendControl(PeerEntry peer, ControlMessage message)
    {
        peer.FramesSent++;
        if (message.TryGetRunState(out var state))
        {
            peer.Session?.Announced(state);
        }

        Emit(new SendControl(peer.Name, message));
    }

    private void SendPfKey(PeerEntry peer, ReadOnlyMemory<byte> message)
    {
        peer.FramesSent++;
        if (_sink is { } sink)
        {
            sink.SendPfKey(peer.Name, message);
        }
        else
        {
            Emit(new SendPfKey(peer.Name, message));
        }
    }

    private void RejectFrame(PeerEntry peer, string why)
    {
        _framesRejected++;
        peer.LastError = why;
        Emit(new Log(LogLevel.Warning, $"engine: peer {peer.Name}: {why}"));
        if (peer.Session is { } session && ++session.BadFrames == _options.MaxBadFramesPerSession)
        {
            Emit(new ClosePeer(peer.Name, $"{session.BadFrames} bad frames"));
        }
    }

    private void OnPeerFrame(string from, WireMessageType type, ReadOnlyMemory<byte> plaintext)
    {
        if (!_peers.TryGetValue(from, out var peer) || peer.Session is null)
        {
            Emit(new Log(LogLevel.Debug, $"engine: frame from {from} without a session ignored"));
            return;
        }

        peer.FramesReceived++;
        switch (type)
        {
            case WireMessageType.Control:
                OnControl(peer, plaintext.Span);
                break;
            case WireMessageType.PfKey:
                OnPeerPfKey(peer, plaintext);
                break;
            default:
                RejectFrame(peer, $"unknown message type {(uint)type}");
                SendControl(peer, ControlMessage.ErrorOf(ControlType.Reserved));
                break;
        }
    }

    private void OnControl(PeerEntry peer, ReadOnlySpan<byte> plaintext)
    {
        if (DigestMessage.IsDigest(plaintext))
        {
            OnDigest(peer, plaintext);
            return;
        }

        if (!ControlMessage.TryRead(plaintext, out var message))
        {
            RejectFrame(peer, $"control message of {plaintext.Length} bytes, expected {ControlMessage.Size}");
            SendControl(peer, ControlMessage.ErrorOf(ControlType.Unknown));
            return;
        }

        switch (message.Type)
        {
            case ControlType.State:
                if (RecordPeerState(peer, message.Data, "STATE"))
                {
                    SendControl(peer, ControlMessage.AckOf(RunState));
                }

                AfterPeerStateKnown(peer);
                break;
            case ControlType.Ack when message.Data == (uint)ControlType.State:
                RecordPeerState(peer, message.Data2, "ACK");
                AfterPeerStateKnown(peer);
                break;
            case ControlType.Ack:
                Emit(new Log(LogLevel.Debug, $"engine: peer {peer.Name} acknowledged control type {message.Data}"));
                break;
            case ControlType.Error:
                peer.LastError = $"peer reported an error about {DescribeControlType(message.Data)}";
                Emit(new Log(LogLevel.Warning, $"engine: peer {peer.Name} reported an error about {DescribeControlType(message.Data)}"));
                break;
            case ControlType.EndSnapshot:
                OnEndSnapshot(peer);
                break;
            default:
                RejectFrame(peer, $"unknown control message type {(uint)message.Type}");
                break;
        }
    }

    private static string DescribeControlType(uint type) => type switch
    {
        (uint)ControlType.Reserved => "PF_KEY data",
        (uint)ControlType.State => "our STATE",
        (uint)ControlType.Unknown => "a malformed control message",
        _ => $"control type {type}",
    };

    /// <summary>Records a reported state; false (after answering ERROR) when it is invalid or a second MASTER.</summary>
    private bool RecordPeerState(PeerEntry peer, uint reported, string via)
    {
        var session = peer.Session!;
        if (reported > (uint)RunState.Fail)
        {
            RejectFrame(peer, $"{via} with invalid run state {reported}");
            SendControl(peer, ControlMessage.ErrorOf(ControlType.State));
            return false;
        }

        var state = (RunState)reported;
        if (session.RunState != state)
        {
            Emit(new Log(LogLevel.Information, $"engine: peer {peer.Name} is {state}"));
        }

        if (state != RunState.Master)
        {
            session.SnapshotReceived = false;
        }

        // Also across sessions: a MASTER that stepped down may come back on a new connection.
        if ((session.RunState ?? peer.LastRunState) == RunState.Master && state != RunState.Master && IsMaster)
        {
            _secondMasterSteppedDown = true;
        }

        // A slave that took a second MASTER's data while another MASTER was there holds changes the other
        // never saw; once the second one steps down, a new session with the remaining one brings its snapshot.
        if (!IsMaster && peer.TookDataBesideAnotherMaster && state != RunState.Master)
        {
            peer.TookDataBesideAnotherMaster = false;
            foreach (var other in ConnectedPeers())
            {
                if (other != peer && other.Session!.RunState == RunState.Master)
                {
                    Emit(new RestartPeerSession(other.Name, $"resync: {peer.Name}, a second MASTER, stepped down"));
                }
            }
        }

        var becameMaster = session.Reported(state);
        peer.LastRunState = state;
        if (becameMaster)
        {
            RequestDigestDump(peer);
        }

        if (state == RunState.Master && IsMaster)
        {
            peer.LastError = "peer claims MASTER while we are MASTER";
            Emit(new Log(LogLevel.Warning, $"engine: peer {peer.Name} claims MASTER while we are MASTER"));
            SendControl(peer, ControlMessage.ErrorOf(ControlType.State));
            return false;
        }

        return true;
    }

    private void AfterPeerStateKnown(PeerEntry peer)
    {
        if (_secondMasterSteppedDown)
        {
            // Two MASTERs: the one that stepped down refused our changes, and the others may have
            // taken its changes too. Everyone not already getting a snapshot gets a fresh one.
            _secondMasterSteppedDown = false;
            foreach (var other in ConnectedPeers())
            {
                if (other.Session is { Snapshot.Phase: SnapshotPhase.Sent } session && session.RunState is not (null or RunState.Master))
                {
                    AbandonSnapshotDump(other);
                    SendAll(other, session.Snapshot.Reset());
                    MaybeStartSnapshot(other, byDigest: false); // no digest of theirs is fresh enough for this
                }
            }
        }

        MaybeStartSnapshot(peer);
        EvaluateUndemote();
    }

    private void OnEndSnapshot(PeerEntry peer)
    {
        peer.SnapshotsReceived++;
        var session = peer.Session!;
        if (session.RunState != RunState.Master || IsMaster)
        {
            Emit(new Log(LogLevel.Debug, $"engine: ENDSNAP from {peer.Name}, which is not a MASTER we follow; ignored"));
            return;
        }

        session.SnapshotReceived = true;
        peer.LastSnapshotReceivedAt = _time.GetUtcNow();
        Emit(new Log(LogLevel.Information, $"engine: snapshot from MASTER {peer.Name} complete"));
        EvaluateUndemote();
    }

    private void OnPeerPfKey(PeerEntry peer, ReadOnlyMemory<byte> plaintext)
    {
        if (peer.Session!.RunState != RunState.Master || IsMaster)
        {
            RejectFrame(peer, IsMaster ? "PF_KEY data from a peer while we are MASTER" : "PF_KEY data from a peer not known as MASTER");
            SendControl(peer, IsMaster ? ControlMessage.StateOf(RunState) : ControlMessage.ErrorOf(ControlType.Reserved));
            return;
        }

        if (!PfKeyMessage.TryValidate(plaintext, out var header, out var error))
        {
            RejectFrame(peer, $"unparsable PF_KEY message: {error}");
            return;
        }

        header = PfKeyRewrite.ForKernel(header, _options.Pid, unchecked(++_kernelSequence));
        foreach (var other in _peerOrder)
        {
            if (other != peer && other.Session?.RunState == RunState.Master)
            {
                peer.TookDataBesideAnotherMaster = true;
                break;
            }
        }

        _kernelWritesPending++;
        if (_sink is { } sink)
        {
            sink.WriteToKernel(peer.Name, plaintext, header);
        }
        else
        {
            Emit(new WriteToKernel(peer.Name, PfKeyRewrite.PrepareForKernel(plaintext.Span, header)));
        }
    }

    private void OnKernelWriteCompleted(KernelWriteCompleted written)
    {
        if (_kernelWritesPending > 0 && --_kernelWritesPending == 0)
        {
            EvaluateUndemote();
        }

        if (written.Failure is not { } failure)
        {
            _kernelWrites++;
            return;
        }

        _kernelWriteErrors++;
        // Both the IKE daemon and the kernel expire SAs, so a DELETE that finds nothing is normal.
        var level = written.Type == SadbMessageType.Delete && failure.Errno is null or OpenBsdErrno.ESRCH ? LogLevel.Debug : LogLevel.Warning;
        Emit(new Log(level, $"engine: kernel refused {written.Type} from {written.Peer}: {failure.Message}"));
    }

    // ---- MASTER: relaying and snapshots -----------------------------------------------------------

    private SyncFilterContext FilterContext() => !_settings.SkipSlave
        ? _fixedFilterContext ??= new(_options.Pid, _settings.FlushMode, false, Array.Empty<IPAddress>())
        : new(
        _options.Pid,
        _settings.FlushMode,
        _settings.SkipSlave,
        _settings.SkipSlave ? [.. ConnectedPeers().SelectMany(p => p.Session!.Addresses)] : Array.Empty<IPAddress>());

    private void CountFiltered(FilterReason reason) => _filtered[reason] = _filtered.GetValueOrDefault(reason) + 1;

    private void OnKernelMessage(ReadOnlyMemory<byte> received)
    {
        switch (PromiscuousCopy.TryUnwrap(received, out var copy, out var error))
        {
            case PromiscuousUnwrap.NotPromiscuous:
                return; // replies and broadcasts: nothing to sync
            case PromiscuousUnwrap.Malformed:
                _kernelMessagesMalformed++;
                Emit(new Log(LogLevel.Warning, $"engine: malformed message from the kernel: {error}"));
                return;
        }

        _kernelMessagesSeen++;
        if (!IsMaster)
        {
            CountFiltered(FilterReason.NotMaster);
            return;
        }

        var decision = SyncFilter.Decide(copy, FilterContext());
        if (!decision.Sync)
        {
            CountFiltered(decision.Reason);
            Emit(new Log(LogLevel.Trace, $"engine: {copy.Inner.Type} not synced: {decision.Reason}"));
            return;
        }

        _messagesRelayed++;
        var bytes = PfKeyRewrite.ForPeers(copy.Inner);
        foreach (var peer in _peerOrder)
        {
            if (peer.Session is not { } session)
            {
                continue;
            }

            var snapshot = session.Snapshot;
            if (!snapshot.HoldsChanges)
            {
                SendPfKey(peer, bytes);
            }
            else if (!snapshot.TryHold(bytes, HoldLimit(snapshot)))
            {
                RestartSnapshot(peer, bytes);
            }
        }
    }

    // Changes pile up faster than the snapshot goes out. Sending the rest of it in one piece would
    // undo the pacing, so it starts over from a fresh dump, which holds every change made so far,
    // except removals: those go out now, lest an SA the peer already got from this snapshot stay.
    private void RestartSnapshot(PeerEntry peer, ReadOnlyMemory<byte> latest)
    {
        var snapshot = peer.Session!.Snapshot;
        AbandonSnapshotDump(peer);
        var held = snapshot.Restart(++_dumpIds);
        held.Add(latest);
        var removals = 0;
        foreach (var change in held)
        {
            if (IsRemoval(change.Span))
            {
                SendPfKey(peer, change);
                removals++;
            }
        }

        Emit(new Log(LogLevel.Warning, $"engine: more than {held.Count - 1} changes during the snapshot for {peer.Name}; "
            + $"sent the {removals} removals among them and started over from a fresh dump (restart {snapshot.Restarts})"));
        Emit(new RequestKernelDump(peer.Name, snapshot.DumpId));
    }

    // Each restart doubles what the next attempt may hold, up to 16 times the configured limit, so
    // that a steady stream of changes still lets a snapshot finish, in bounded memory.
    private int HoldLimit(PeerSnapshot snapshot) =>
        (int)Math.Min(int.MaxValue, (long)_options.MaxHeldRelays << Math.Min(snapshot.Restarts, MaxHoldGrowthShift));

    private static bool IsRemoval(ReadOnlySpan<byte> message) =>
        message.Length >= 2 && (SadbMessageType)message[1] is SadbMessageType.Delete or SadbMessageType.XDelFlow or SadbMessageType.Flush;

    private void MaybeStartSnapshot(PeerEntry peer, bool byDigest = true)
    {
        var session = peer.Session;
        if (!IsMaster || session is null || session.Snapshot.Phase != SnapshotPhase.Idle || session.RunState is null or RunState.Master)
        {
            return;
        }

        if (byDigest && DigestApplies(session))
        {
            AwaitDigest(peer);
            return;
        }

        RequestSnapshotDump(peer);
    }

    private void SendAll(PeerEntry peer, List<ReadOnlyMemory<byte>> messages)
    {
        foreach (var message in messages)
        {
            SendPfKey(peer, message);
        }
    }

    private void OnKernelDumpCompleted(KernelDumpCompleted dumped)
    {
        if (_peers.TryGetValue(dumped.Peer, out var joined) && joined.Session is { DigestDump: { } digestDump } && digestDump.DumpId == dumped.RequestId)
        {
            OnDigestDumpCompleted(joined, dumped);
            return;
        }

        if (!_peers.TryGetValue(dumped.Peer, out var peer) || peer.Session is not { } session
            || !session.Snapshot.IsAwaiting(dumped.RequestId) || !IsMaster)
        {
            Emit(new Log(LogLevel.Debug, $"engine: stale dump {dumped.RequestId} for {dumped.Peer} dropped"));
            return;
        }

        var snapshot = session.Snapshot;
        snapshot.DumpEnded();
        if (dumped.Failure is { } failure)
        {
            // Also midway through sending: what went out stays without its ENDSNAP, so the peer never takes it for whole.
            _dumpErrors++;
            peer.LastError = $"kernel dump failed: {failure.Message}";
            Emit(new Log(LogLevel.Error, $"engine: no snapshot for {peer.Name}, kernel dump failed: {failure.Message}"
                + (snapshot.Phase == SnapshotPhase.Sending ? $" after {snapshot.MessagesSent} snapshot messages; no ENDSNAP" : "")));
            SendAll(peer, snapshot.GiveUp());
            return;
        }

        if (snapshot.Phase == SnapshotPhase.AwaitingDigest)
        {
            snapshot.KeepDigest(dumped); // M2 goes on once the peer's digest is in, or M3 once the wait is over
            if (snapshot.DigestRound < _digestRounds)
            {
                snapshot.WaitUntilRound(_digestRounds + 1); // M3: the peer's round ended while ours was being made
            }

            return;
        }

        if (snapshot.DumpForDigest)
        {
            CompareDigests(peer, snapshot.PeerDigest!.Value, dumped);
            return;
        }

        // The records dump is read to its end (perhaps without a single chunk: an empty kernel).
        Feeding(snapshot).End();
        if (snapshot.CanSendChunk)
        {
            SendSnapshotChunk(peer);
        }
    }

    // A chunk of a snapshot's dump: fed to its cursor, and sent from at once unless the peer is still draining.
    // Any other chunk (a dump dropped midway, a session gone) goes straight back.
    private void OnKernelDumpChunkRead(KernelDumpChunkRead read)
    {
        if (!IsMaster || !_peers.TryGetValue(read.Peer, out var peer) || peer.Session is not { } session
            || !session.Snapshot.TakesChunksOf(read.RequestId))
        {
            read.Chunk.Dispose();
            return;
        }

        var snapshot = session.Snapshot;
        Feeding(snapshot).Add(read.Chunk);
        if (snapshot.CanSendChunk)
        {
            SendSnapshotChunk(peer);
        }
    }

    // The cursor the snapshot's dump feeds: sending starts with the dump's first chunk (or its end).
    private SnapshotCursor Feeding(PeerSnapshot snapshot)
    {
        if (snapshot.Phase == SnapshotPhase.AwaitingDump)
        {
            // Its batch is sent before the next is filled; a sink that copies what it sends lets it fill the same buffer again.
            snapshot.StartSending(new SnapshotCursor(FilterContext()) { ReusesBuffer = _sink?.CopiesSentMessages == true });
        }

        return snapshot.Cursor!;
    }

    // A full snapshot from a dump asked for now; the changes held so far stay held.
    private void RequestSnapshotDump(PeerEntry peer)
    {
        var snapshot = peer.Session!.Snapshot;
        AbandonSnapshotDump(peer);
        snapshot.AwaitDump(++_dumpIds);
        Emit(new RequestKernelDump(peer.Name, snapshot.DumpId));
    }

    private void OnPeerDrained(PeerDrained drained)
    {
        if (!_peers.TryGetValue(drained.Peer, out var peer) || peer.Session is not { } session
            || !session.Snapshot.Drained(drained.SnapshotId))
        {
            return; // not the report awaited: a session or snapshot that is gone
        }

        if (IsMaster && session.Snapshot.CanSendChunk)
        {
            SendSnapshotChunk(peer);
        }
    }

    // A big snapshot goes out in chunks, each once the peer's send queue has drained and made from the
    // dump chunks read so far, so that sending starts before the whole dump is read, the queue stays
    // within its budget and the host holds only a few dump chunks. Relays wait in the snapshot's held
    // changes until ENDSNAP, as during the dump.
    private void SendSnapshotChunk(PeerEntry peer)
    {
        var snapshot = peer.Session!.Snapshot;
        var cursor = snapshot.Cursor!;
        var errorsBefore = cursor.Errors.Count;
        var ready = cursor.TryFillBatch(_options.SnapshotChunkMessages, _options.SnapshotChunkBytes);
        for (var i = errorsBefore; i < cursor.Errors.Count; i++)
        {
            _dumpErrors++;
            Emit(new Log(LogLevel.Warning, $"engine: malformed kernel dump: {cursor.Errors[i]}"));
        }

        if (!ready)
        {
            return; // all read that came: the next dump chunk fills the batch on
        }

        foreach (var message in cursor.Batch)
        {
            SendPfKey(peer, message);
        }

        snapshot.CountSent(cursor.Batch.Count);
        cursor.ClearBatch();
        if (!cursor.IsComplete)
        {
            snapshot.AwaitDrain();
            Emit(new AwaitPeerDrain(peer.Name, snapshot.DumpId));
            return;
        }

        SendAll(peer, snapshot.Finish());
        SendControl(peer, ControlMessage.EndSnapshot);
        peer.SnapshotsSent++;
        peer.LastSnapshotMessages = snapshot.MessagesSent;
        peer.LastSnapshotSentAt = _time.GetUtcNow();
        Emit(new Log(LogLevel.Information, $"engine: snapshot sent to {peer.Name}: {cursor.SaCount} SAs, {cursor.FlowCount} flows"
            + (cursor.Skipped.Count == 0 ? "" : $", skipped {string.Join(", ", cursor.Skipped.Select(s => $"{s.Value} {s.Key}"))}")));
    }

    // ---- resync by digest (extended sessions only) ------------------------------------------------
    //
    // J1 Joining: when a peer on an extended session starts a MASTER period in our view (its STATE or
    //    ACK says MASTER after one that did not), or we step down from MASTER beside it, and we are not
    //    MASTER, we dump our own kernel for a DIGEST of that period. Nothing else makes one.
    // J2 The digest of all we hold (no filter) goes out only if, when the dump is back, we are still
    //    not MASTER and the peer is still MASTER in the same period; otherwise it is dropped.
    // M1 MASTER: a snapshot to a peer on an extended session first waits for its digest of our current
    //    period, holding changes as any snapshot does, and asks for our dump's digest meanwhile (the host
    //    computes it as it reads the dump, off our loop). A digest of another period, or one not awaited,
    //    is stale and ignored (older sessions' frames never reach the engine).
    // M2 With both in: when our snapshot's digest (filtered as the snapshot is) equals the peer's, the
    //    held changes and ENDSNAP go out at once and no SA message; else the full snapshot, from a fresh dump.
    //    A peer that holds nothing (a rebooted node) gets the full snapshot at once: our digest could
    //    only save the FLUSH and ENDSNAP of an empty snapshot, and waiting for it reads the dump twice.
    // M3 No digest by the end of the next round of the digest timer: the full snapshot. While our own
    //    digest is still being made the wait goes on (the peer dumps a kernel of about our size at the same
    //    time), and when ours comes after the peer's round is over, the peer gets one more whole round.
    // M4 Full snapshots without waiting: legacy sessions, a resync forced because a second MASTER
    //    stepped down, and a restart for too many held changes.

    private bool DigestApplies(PeerSession session) => _options.ResyncByDigest && session.Channel == Net.PeerChannel.Extended;

    private void RequestDigestDump(PeerEntry peer)
    {
        var session = peer.Session!;
        if (IsMaster || !DigestApplies(session) || session.RunState != RunState.Master)
        {
            return;
        }

        AbandonDigestDump(peer); // a dump for an earlier period of the peer's
        var id = ++_dumpIds;
        session.DigestDump = (id, session.PeerMasterEpoch);
        Emit(new RequestKernelDump(peer.Name, id, KernelDumpUse.Digest)); // every record: no filter
    }

    private void OnDigestDumpCompleted(PeerEntry peer, KernelDumpCompleted dumped)
    {
        var session = peer.Session!;
        var epoch = session.DigestDump!.Value.Epoch;
        session.DigestDump = null;
        if (IsMaster || session.RunState != RunState.Master || session.PeerMasterEpoch != epoch)
        {
            Emit(new Log(LogLevel.Debug, $"engine: digest for {peer.Name} dropped: its MASTER period {epoch} is over"));
            return;
        }

        if (dumped.Failure is { } failure)
        {
            _dumpErrors++;
            Emit(new Log(LogLevel.Warning, $"engine: no digest for {peer.Name}, kernel dump failed: {failure.Message}; it will send the full snapshot"));
            return;
        }

        if (dumped.Digest is not { } digest)
        {
            _dumpErrors++;
            Emit(new Log(LogLevel.Warning, $"engine: no digest for {peer.Name}: {dumped.DigestProblem ?? "none made"}; it will send the full snapshot"));
            return;
        }

        peer.FramesSent++;
        peer.DigestsSent++;
        Emit(new SendDigest(peer.Name, new DigestMessage(epoch, digest)));
        Emit(new Log(LogLevel.Debug, $"engine: digest sent to MASTER {peer.Name} for its period {epoch}: {digest}"));
    }

    private void AwaitDigest(PeerEntry peer)
    {
        var session = peer.Session!;
        long round;
        if (_timers.ContainsKey(EngineTimer.DigestWait))
        {
            round = _digestRounds + 1; // joins the next round: waits at least one whole round
        }
        else
        {
            round = ++_digestRounds;
            Arm(EngineTimer.DigestWait, _options.DigestWait);
        }

        var id = ++_dumpIds;
        session.Snapshot.AwaitDigest(session.OurMasterEpoch, round, id);
        Emit(new Log(LogLevel.Debug, $"engine: snapshot for {peer.Name} waits for its digest (our MASTER period {session.OurMasterEpoch})"));
        Emit(new RequestKernelDump(peer.Name, id, KernelDumpUse.Digest) { DigestFilter = FilterContext() }); // filtered as the snapshot is
    }

    private void OnDigest(PeerEntry peer, ReadOnlySpan<byte> plaintext)
    {
        if (!DigestMessage.TryRead(plaintext, out var message))
        {
            RejectFrame(peer, $"DIGEST of {plaintext.Length} bytes, expected {DigestMessage.Size}");
            return;
        }

        var session = peer.Session!;
        peer.DigestsReceived++;
        if (session.Channel != Net.PeerChannel.Extended)
        {
            RejectFrame(peer, "DIGEST on a legacy session");
            return;
        }

        var snapshot = session.Snapshot;
        if (!IsMaster || !snapshot.IsAwaitingDigest(message.Epoch))
        {
            Emit(new Log(LogLevel.Debug, $"engine: stale digest from {peer.Name} (for our MASTER period {message.Epoch}) ignored"));
            return;
        }

        if (message.Digest is { Sas: 0, Flows: 0 })
        {
            _ = snapshot.StopWaitingForDigest(null);
            Emit(new Log(LogLevel.Debug, $"engine: {peer.Name} holds nothing; sending the full snapshot without our digest"));
            RequestSnapshotDump(peer); // M2; the digest dump under way is abandoned (D1)
            return;
        }

        if (snapshot.StopWaitingForDigest(message.Digest) is { } ours)
        {
            CompareDigests(peer, message.Digest, ours);
        }
    }

    private void OnDigestWaitOver()
    {
        var round = _digestRounds;
        var stillWaiting = false;
        foreach (var peer in ConnectedPeers())
        {
            var snapshot = peer.Session!.Snapshot;
            if (snapshot.Phase != SnapshotPhase.AwaitingDigest)
            {
                continue;
            }

            if (snapshot.DigestRound > round || snapshot.OwnDigest is null)
            {
                stillWaiting = true; // M3: a later round, or our own digest is still being made
                continue;
            }

            Emit(new Log(LogLevel.Information, $"engine: no digest from {peer.Name} in time; sending the full snapshot"));
            _ = snapshot.StopWaitingForDigest(null);
            RequestSnapshotDump(peer); // M3 (our digest dump has ended: nothing to abandon)
        }

        if (stillWaiting)
        {
            _digestRounds++;
            Arm(EngineTimer.DigestWait, _options.DigestWait);
        }
    }

    // M2 with both digests in: ENDSNAP alone when they are equal; else the full snapshot, from a dump asked
    // for now (the digest's dump was read to its end and let go: a dump is never held whole). The changes
    // held since the first dump stay held, and those it already holds are set again after it, which is
    // harmless (see SimulatedKernel.DumpChunksAsync).
    private void CompareDigests(PeerEntry peer, SnapshotDigest theirs, KernelDumpCompleted dumped)
    {
        if (dumped.Digest is not { } ours)
        {
            Emit(new Log(LogLevel.Warning, $"engine: no digest of our dump for {peer.Name} ({dumped.DigestProblem ?? "none made"}); sending the full snapshot"));
            RequestSnapshotDump(peer);
            return;
        }

        if (ours != theirs)
        {
            peer.DigestMismatches++;
            Emit(new Log(LogLevel.Information, $"engine: {peer.Name} holds {theirs}, our snapshot carries {ours}: sending it in full"));
            RequestSnapshotDump(peer);
            return;
        }

        SendAll(peer, peer.Session!.Snapshot.FinishUnchanged());
        SendControl(peer, ControlMessage.EndSnapshot);
        peer.SnapshotsSent++;
        peer.SnapshotsSkippedByDigest++;
        peer.LastSnapshotMessages = 0;
        peer.LastSnapshotSentAt = _time.GetUtcNow();
        Emit(new Log(LogLevel.Information, $"engine: snapshot to {peer.Name} skipped by digest: it holds what ours carries ({ours}); sent ENDSNAP alone"));
    }

    // ---- dumps no longer wanted ---------------------------------------------------------------------
    //
    // D1 A dump asked for and not yet completed that the engine stops counting on is abandoned at once
    //    (AbandonKernelDump), instead of being read (and hashed, for a digest) to its end beside the work
    //    that replaced it: the snapshot's dump when the snapshot asks for another (M2 for a peer that holds
    //    nothing, a restart for too many held changes) or is reset (we stepped down, a second
    //    MASTER's resync, the session ended), and a joining node's digest dump when it is dropped (we became
    //    MASTER, the peer's next MASTER period, the session ended). A completion that comes all the same is
    //    stale and dropped as before.

    private void AbandonSnapshotDump(PeerEntry peer)
    {
        if (peer.Session!.Snapshot.UnfinishedDump is { } id)
        {
            Emit(new AbandonKernelDump(peer.Name, id));
        }
    }

    private void AbandonDigestDump(PeerEntry peer)
    {
        var session = peer.Session!;
        if (session.DigestDump is { } dump)
        {
            session.DigestDump = null;
            Emit(new AbandonKernelDump(peer.Name, dump.DumpId));
        }
    }

    private void Emit(EngineEffect effect)
    {
        if (_sink is { } sink)
        {
            sink.Execute(effect);
        }
        else
        {
            (_effects ??= []).Add(effect);
        }
    }
}
