using Microsoft.Extensions.Logging;
using Sasync.Core.Config;
using Sasync.Core.Net;
using Sasync.Core.PfKey;
using Sasync.Core.Sync;
using Sasync.Core.Wire;

namespace Sasync.Core.Hosting;

/// <summary>
/// The logic of one node, without threads: feeds the <see cref="SyncEngine"/> with the items it is
/// given, one at a time, and carries out the effects through the peer network and the host's I/O.
/// </summary>
/// <remarks>
/// Single-threaded and synchronous: the host calls <see cref="Handle"/>, <see cref="Reload"/> and
/// <see cref="Status"/> from one loop. Everything that finishes later (I/O outcomes, timers, drained
/// sessions) comes back through the <c>post</c> callback as an item for <see cref="Handle"/>, so the
/// same code runs under <see cref="SyncNode"/> and under a simulator with a virtual clock.
/// </remarks>
public sealed partial class NodeCore : IDisposable, IEngineEffectSink
{
    // A message from the MASTER is copied here under our header for the kernel write; the buffer is
    // reused as long as each write completes within its call (see WriteToKernel).
    private const int KernelWriteBufferBytes = 64 * 1024;
    private byte[] _kernelWriteBuffer = [];
    private int _kernelWriteUsed; // bytes of _kernelWriteBuffer handed to writes still under way

    private readonly SyncEngine _engine;
    private readonly INodeNetwork _network;
    private readonly INodeIo _io;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<object> _post;
    private IFrameCodecFactory _codecs;
    private SharedKey _sharedKey;

    // Events the node's own work produced while handling an item, handled before the next item.
    private readonly Queue<EngineEvent> _followUps = new();
    private readonly Dictionary<EngineTimer, ITimer> _timers = [];

    // The session the engine knows for each peer: frames and reports of any other one are stale.
    private readonly Dictionary<string, long> _activeLinks = new(StringComparer.Ordinal);
    private long _framesUnsendable;

    // Per daemon and per carp group, one call under way at a time, so that calls reach the
    // platform in the order the engine made them (a carp flap must not reach iked reversed).
    private readonly Dictionary<DaemonKind, DaemonControlQueue> _daemonQueues = [];
    private readonly Dictionary<string, DemotionQueue> _demotionQueues = new(StringComparer.Ordinal);

    /// <summary>A node that has not started: hand it <see cref="EngineStarted"/> first.</summary>
    /// <param name="settings">The configuration; <see cref="Reload"/> replaces it.</param>
    /// <param name="engineOptions">The engine's pid and limits.</param>
    /// <param name="codecs">Frames the sessions under the configured shared key.</param>
    /// <param name="network">The peer sessions: sends, closes and drain notices.</param>
    /// <param name="io">The kernel, IKE daemon and carp demotion work.</param>
    /// <param name="time">The clock of the engine and of its timers.</param>
    /// <param name="logger">Gets the node's log lines.</param>
    /// <param name="post">
    /// Queues an item for a later <see cref="Handle"/> on the host's loop; called from timer and drain callbacks,
    /// possibly on other threads, so it must be thread-safe and must not block.
    /// </param>
    public NodeCore(
        SyncSettings settings,
        EngineOptions engineOptions,
        IFrameCodecFactory codecs,
        INodeNetwork network,
        INodeIo io,
        TimeProvider time,
        ILogger logger,
        Action<object> post)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _engine = new SyncEngine(settings, engineOptions, time);
        // Effects are carried out as the engine makes them: no list and, for relays and kernel writes, no record per message.
        _engine.AttachSink(this);
        _codecs = codecs;
        _sharedKey = settings.SharedKey;
        _network = network;
        _io = io;
        _time = time;
        _logger = logger;
        _post = post;
    }

    /// <summary>The codecs sessions are made with now; a reload with a new key replaces them. Readable from any thread.</summary>
    public IFrameCodecFactory Codecs => Volatile.Read(ref _codecs);

    /// <summary>The engine's status plus the node's network counters.</summary>
    public NodeStatus Status() => new(_engine.Status, _network.RefusedConnections, _network.SlowPeerDrops, _framesUnsendable, _network.SessionStatus());

    /// <summary>
    /// Applies a reloaded configuration (SIGHUP) without touching the kernel: new peers are dialled,
    /// removed ones closed, and a new shared key applies to every session, which are re-established under it.
    /// </summary>
    public void Reload(SyncSettings settings, IFrameCodecFactory codecs)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var keyChanged = !settings.SharedKey.Equals(_sharedKey);
        _sharedKey = settings.SharedKey;
        _network.SetPeers(settings.Peers);
        foreach (var peer in _activeLinks.Keys.Where(p => !settings.Peers.Contains(p)).ToList())
        {
            _activeLinks.Remove(peer); // its session is being closed; what it still sends is stale
        }

        HandleEngine(new PeersChanged(settings.Peers));
        if (keyChanged)
        {
            Volatile.Write(ref _codecs, codecs);
            foreach (var peer in _activeLinks.Keys.ToList())
            {
                _network.Close(peer, "the shared key changed");
            }
        }

        DrainFollowUps();
    }

    /// <summary>Handles one item: an engine event, a session change, frames, kernel reads, or the outcome of the node's own work.</summary>
    public void Handle(object item)
    {
        ArgumentNullException.ThrowIfNull(item);
        Dispatch(item);
        DrainFollowUps();
    }

    /// <summary>Cancels every armed timer.</summary>
    public void Dispose()
    {
        foreach (var timer in _timers.Values)
        {
            timer.Dispose();
        }

        _timers.Clear();
    }

    private void DrainFollowUps()
    {
        while (_followUps.TryDequeue(out var followUp))
        {
            HandleEngine(followUp);
        }
    }

    private void Dispatch(object item)
    {
        switch (item)
        {
            case DaemonControlCompleted completed:
                OnDaemonControlCompleted(completed);
                break;
            case DemotionAdjusted adjusted:
                OnDemotionAdjusted(adjusted);
                break;
            case EngineEvent e:
                HandleEngine(e);
                break;
            case KernelMessagesRead read:
                var messages = read.Messages;
                for (var i = 0; i < messages.Count; i++)
                {
                    HandleKernelMessage(messages[i]);
                }

                break;
            case PeerLinkUp up:
                _activeLinks[up.Peer] = up.LinkId;
                HandleEngine(new PeerConnected(up.Peer, up.Outbound ? PeerDirection.Outbound : PeerDirection.Inbound, [up.Remote.Address], up.Channel));
                break;
            case PeerLinkFrames received:
                // The batch's kernel writes are one run: the kernel's readers wake once for it, not once per message.
                _io.BeginKernelWrites();
                try
                {
                    HandlePeerFrames(received);
                }
                finally
                {
                    _io.EndKernelWrites();
                }

                // The plaintexts are not used after this (the kernel writes were copies): their buffer may be reused.
                received.Handled?.Invoke();
                break;
            case PeerLinkDown down:
                // A late report about a session that was already replaced changes nothing, except
                // that a frame which could not be read still counts.
                if (_activeLinks.TryGetValue(down.Peer, out var id) && id == down.LinkId)
                {
                    _activeLinks.Remove(down.Peer);
                    HandleEngine(new PeerDisconnected(down.Peer, down.Reason, down.Routine, down.BadFrame));
                }
                else if (down.BadFrame is { } badFrame)
                {
                    HandleEngine(new LinkFrameRejected(down.Peer, down.Reason, badFrame));
                }

                break;
            case PromiscuousSet { Error: { } error } set:
                LogPlatformError(_logger, $"cannot turn promiscuous mode {(set.Enabled ? "on" : "off")}", error.Message);
                break;
            case PromiscuousSet:
                break;
            default:
                LogUnknownItem(_logger, item.GetType().Name);
                break;
        }
    }

    private void HandlePeerFrames(PeerLinkFrames received)
    {
        // Frames of a session that was already replaced are dropped: they belong to the old one.
        var frames = received.Frames;
        for (var i = 0; i < frames.Count; i++)
        {
            if (!_activeLinks.TryGetValue(received.Peer, out var active) || active != received.LinkId)
            {
                break;
            }

            var frame = frames[i];
            if (frame.Type == WireMessageType.PfKey)
            {
                PfKeyTrace.Log(_logger, "received from", received.Peer, frame.Plaintext.Span);
            }

            HandlePeerFrame(received.Peer, frame.Type, frame.Plaintext);
        }
    }

    private void HandleKernelMessage(ReadOnlyMemory<byte> message)
    {
        try
        {
            _engine.HandleKernelMessage(message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogEngineFailure(_logger, nameof(KernelMessageReceived), ex);
        }
    }

    private void HandlePeerFrame(string peer, WireMessageType type, ReadOnlyMemory<byte> plaintext)
    {
        try
        {
            _engine.HandlePeerFrame(peer, type, plaintext);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogEngineFailure(_logger, nameof(PeerFrameReceived), ex);
        }
    }

    void IEngineEffectSink.Execute(EngineEffect effect) => Execute(effect);

    bool IEngineEffectSink.CopiesSentMessages => _network.CopiesPlaintext;

    void IEngineEffectSink.SendPfKey(string peer, ReadOnlyMemory<byte> message)
    {
        PfKeyTrace.Log(_logger, "relayed to", peer, message.Span);
        SendFrame(peer, WireMessageType.PfKey, message);
    }

    void IEngineEffectSink.WriteToKernel(string peer, ReadOnlyMemory<byte> message, SadbHeader header)
    {
        if (_kernelWriteBuffer.Length - _kernelWriteUsed < message.Length)
        {
            _kernelWriteBuffer = new byte[Math.Max(message.Length, KernelWriteBufferBytes)];
            _kernelWriteUsed = 0;
        }

        var prepared = _kernelWriteBuffer.AsMemory(_kernelWriteUsed, message.Length);
        PfKeyRewrite.PrepareForKernel(message.Span, header, prepared.Span);
        PfKeyTrace.Log(_logger, "written to the kernel, from", peer, prepared.Span);
        if (_io.WriteToKernel(peer, prepared) is { } completed)
        {
            _followUps.Enqueue(completed);
        }
        else
        {
            // Still under way, so the I/O (or the platform) still reads these bytes: the next write goes behind them,
            // and the buffer, once full, is left to the writes under way. A run of queued writes costs their bytes, not a buffer each.
            _kernelWriteUsed += message.Length;
        }
    }

    private void HandleEngine(EngineEvent e)
    {
        IReadOnlyList<EngineEffect> effects;
        try
        {
            effects = _engine.Handle(e);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The engine must not throw; if it does, keep the node alive and say so loudly.
            LogEngineFailure(_logger, e.GetType().Name, ex);
            return;
        }

        foreach (var effect in effects)
        {
            Execute(effect);
        }
    }

    private void Execute(EngineEffect effect)
    {
        switch (effect)
        {
            case SendControl send:
                SendFrame(send.Peer, WireMessageType.Control, send.Message.ToBytes());
                break;
            case SendDigest send:
                SendFrame(send.Peer, WireMessageType.Control, send.Message.ToBytes());
                break;
            case SendPfKey send:
                PfKeyTrace.Log(_logger, "relayed to", send.Peer, send.Message.Span);
                SendFrame(send.Peer, WireMessageType.PfKey, send.Message);
                break;
            case WriteToKernel write:
                PfKeyTrace.Log(_logger, "written to the kernel, from", write.Peer, write.Message.Span);
                if (_io.WriteToKernel(write) is { } completed)
                {
                    _followUps.Enqueue(completed);
                }

                break;
            case SetPromiscuous promiscuous:
                _io.SetPromiscuous(promiscuous.Enabled);
                break;
            case RequestKernelDump dump:
                // In line with the promiscuous switch: a dump taken before promiscuous mode is on
                // could miss an SA added in between, which then would be neither relayed nor dumped.
                _io.RequestDump(dump);
                break;
            case AbandonKernelDump abandon:
                _io.AbandonDump(abandon);
                break;
            case ControlDaemon control:
                ControlDaemon(control);
                break;
            case AdjustCarpDemotion adjust:
                AdjustDemotion(adjust);
                break;
            case ArmTimer arm:
                Arm(arm);
                break;
            case CancelTimer cancel:
                if (_timers.Remove(cancel.Timer, out var timer))
                {
                    timer.Dispose();
                }

                break;
            case AwaitPeerDrain drain:
                AwaitDrain(drain);
                break;
            case ConnectMissingPeers:
                _network.DialNow();
                break;
            case ClosePeer close:
                _network.Close(close.Peer, close.Reason);
                break;
            case RestartPeerSession restart:
                _network.Restart(restart.Peer, restart.Reason);
                break;
            case Log log:
#pragma warning disable CA1848, CA2254 // The engine composes its own messages.
                _logger.Log(log.Level, log.Message);
#pragma warning restore CA1848, CA2254
                break;
        }
    }

    private void ControlDaemon(ControlDaemon control)
    {
        if (!_daemonQueues.TryGetValue(control.Daemon, out var queue))
        {
            _daemonQueues[control.Daemon] = queue = new DaemonControlQueue();
        }

        if (queue.InFlight is null)
        {
            queue.InFlight = control.Active;
            _io.ControlDaemon(control.Daemon, control.Active);
        }
        else
        {
            // Latest wins: a newer request replaces one that has not started, and one that asks
            // for what is under way already needs nothing more.
            queue.Next = control.Active == queue.InFlight ? null : control.Active;
        }
    }

    private void OnDaemonControlCompleted(DaemonControlCompleted completed)
    {
        if (_daemonQueues.TryGetValue(completed.Daemon, out var queue))
        {
            queue.InFlight = null;
            if (queue.Next is { } next)
            {
                queue.Next = null;
                queue.InFlight = next;
                _io.ControlDaemon(completed.Daemon, next);
            }
        }

        HandleEngine(completed);
    }

    private void AdjustDemotion(AdjustCarpDemotion adjust)
    {
        if (!_demotionQueues.TryGetValue(adjust.Group, out var queue))
        {
            _demotionQueues[adjust.Group] = queue = new DemotionQueue();
        }

        if (queue.InFlight)
        {
            queue.Pending += adjust.Delta; // applied, summed up, once the call under way is done
            return;
        }

        queue.InFlight = true;
        _io.AdjustDemotion(adjust.Group, adjust.Delta);
    }

    private void OnDemotionAdjusted(DemotionAdjusted adjusted)
    {
        if (adjusted.Error is { } error)
        {
            LogPlatformError(_logger, $"cannot adjust the demote counter of group {adjusted.Group} by {adjusted.Delta}", error);
        }

        if (_demotionQueues.TryGetValue(adjusted.Group, out var queue))
        {
            queue.InFlight = queue.Pending != 0;
            if (queue.InFlight)
            {
                var delta = queue.Pending;
                queue.Pending = 0;
                _io.AdjustDemotion(adjusted.Group, delta);
            }
        }
    }

    private void SendFrame(string peer, WireMessageType type, ReadOnlyMemory<byte> plaintext)
    {
        if (!_codecs.CanEncode(type, plaintext.Length, out var error))
        {
            _framesUnsendable++;
            LogUnsendable(_logger, peer, error);
            return;
        }

        // Only to the session the engine knows: frames of an ended session must not reach the next one.
        if (_activeLinks.TryGetValue(peer, out var link))
        {
            _network.Send(peer, link, type, plaintext);
        }
    }

    private void AwaitDrain(AwaitPeerDrain request)
    {
        var drained = new PeerDrained(request.Peer, request.SnapshotId);
        if (_activeLinks.TryGetValue(request.Peer, out var link))
        {
            _network.NotifyWhenDrained(request.Peer, link, () => _post(drained));
        }
        else
        {
            _post(drained);
        }
    }

    private void Arm(ArmTimer arm)
    {
        if (_timers.Remove(arm.Timer, out var old))
        {
            old.Dispose();
        }

        var fired = new TimerFired(arm.Timer, arm.Generation);
        _timers[arm.Timer] = _time.CreateTimer(
            _ => _post(fired),
            null,
            arm.Delay < TimeSpan.Zero ? TimeSpan.Zero : arm.Delay,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>The daemon call under way (its state), and the one to make after it.</summary>
    private sealed class DaemonControlQueue
    {
        public bool? InFlight { get; set; }

        public bool? Next { get; set; }
    }

    /// <summary>Whether a demote-counter change is under way, and the sum of those waiting for it.</summary>
    private sealed class DemotionQueue
    {
        public bool InFlight { get; set; }

        public int Pending { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{What}: {Reason}")]
    private static partial void LogPlatformError(ILogger logger, string what, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "the sync engine failed on {Event}")]
    private static partial void LogEngineFailure(ILogger logger, string @event, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "peer {Peer}: message not sent: {Reason}")]
    private static partial void LogUnsendable(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node: unknown item {Item} ignored")]
    private static partial void LogUnknownItem(ILogger logger, string item);
}
