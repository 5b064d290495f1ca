using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Sasync.Core.Config;
using Sasync.Core.Net;
using Sasync.Core.Platform;
using Sasync.Core.PfKey;
using Sasync.Core.Sync;
using Sasync.Core.Wire;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// A synchronous, single-threaded host of the <see cref="SyncEngine"/> over the simulated platform:
/// what <see cref="Hosting.SyncNode"/>'s loop does, item by item, with every outcome posted back as a
/// later item. Until the node core is extracted from SyncNode this stands in for it.
/// </summary>
public sealed class EngineHostCore
{
    private readonly SyncSettings _settings;
    private readonly SimulatedKeyClient _kernel;
    private readonly ICarpDemoter _demoter;
    private readonly ImmutableDictionary<DaemonKind, IDaemonControl> _daemons;
    private readonly ISimulatedPeerNetwork _network;
    private readonly TimeProvider _time;
    private readonly Action<object> _post;
    private readonly Action<LogLevel, string> _log;
    private readonly SyncEngine _engine;
    private readonly Queue<EngineEvent> _followUps = new();
    private readonly Dictionary<EngineTimer, ITimer> _timers = [];
    private readonly Dictionary<string, long> _activeLinks = new(StringComparer.Ordinal);
    private Func<IFrameCodecFactory> _codecs;
    private SharedKey _sharedKey;

    public EngineHostCore(
        SyncSettings settings,
        SimulatedKeyClient kernel,
        ICarpDemoter demoter,
        ImmutableDictionary<DaemonKind, IDaemonControl> daemons,
        ISimulatedPeerNetwork network,
        Func<IFrameCodecFactory> codecs,
        long drainedBytes,
        TimeProvider time,
        Action<object> post,
        Action<LogLevel, string> log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _kernel = kernel;
        _demoter = demoter;
        _daemons = daemons;
        _network = network;
        _codecs = codecs;
        _time = time;
        _post = post;
        _log = log;
        _sharedKey = settings.SharedKey;
        var options = new EngineOptions { Pid = kernel.Pid };
        _engine = new SyncEngine(settings, options with { SnapshotChunkBytes = (int)Math.Clamp(drainedBytes, 1, options.SnapshotChunkBytes) }, time);
    }

    public EngineStatus Status => _engine.Status;

    public RunState RunState => _engine.RunState;

    /// <summary>Demotions this node added and has not taken back.</summary>
    public int DemotionsHeld { get; private set; }

    /// <summary>Handles one item: an engine event, a peer-network event, kernel readability or a reload.</summary>
    public void Handle(object item)
    {
        Dispatch(item);
        while (_followUps.TryDequeue(out var followUp))
        {
            HandleEvent(followUp);
        }
    }

    private void Dispatch(object item)
    {
        switch (item)
        {
            case EngineEvent e:
                HandleEvent(e);
                break;
            case KernelReadable:
                while (_kernel.TryRead(out var message))
                {
                    HandleEvent(new KernelMessageReceived(message));
                }

                break;
            case PeerLinkUp up:
                _activeLinks[up.Peer] = up.LinkId;
                HandleEvent(new PeerConnected(up.Peer, up.Outbound ? PeerDirection.Outbound : PeerDirection.Inbound, [up.Remote.Address]));
                break;
            case PeerLinkFrames received:
                foreach (var frame in received.Frames)
                {
                    if (!_activeLinks.TryGetValue(received.Peer, out var active) || active != received.LinkId)
                    {
                        break;
                    }

                    HandleEvent(new PeerFrameReceived(received.Peer, frame.Type, frame.Plaintext));
                }

                break;
            case PeerLinkDown down:
                if (_activeLinks.TryGetValue(down.Peer, out var id) && id == down.LinkId)
                {
                    _activeLinks.Remove(down.Peer);
                    HandleEvent(new PeerDisconnected(down.Peer, down.Reason, down.Routine));
                }

                break;
            case KeyReload reload:
                var changed = !reload.Key.Equals(_sharedKey);
                _sharedKey = reload.Key;
                if (changed)
                {
                    _codecs = reload.Codecs;
                    foreach (var peer in _activeLinks.Keys.ToList())
                    {
                        _network.Close(peer, "the shared key changed");
                    }
                }

                break;
        }
    }

    /// <summary>The codec for the next session (a reload swaps it).</summary>
    public IFrameCodecFactory CurrentCodecs() => _codecs();

    private void HandleEvent(EngineEvent e)
    {
        IReadOnlyList<EngineEffect> effects;
        try
        {
            effects = _engine.Handle(e);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log(LogLevel.Critical, $"the sync engine failed on {e.GetType().Name}: {ex}");
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
            case SendPfKey send:
                SendFrame(send.Peer, WireMessageType.PfKey, send.Message);
                break;
            case WriteToKernel write:
                _followUps.Enqueue(new KernelWriteCompleted(write.Peer, write.Message.Length >= 2 ? (SadbMessageType)write.Message.Span[1] : SadbMessageType.Reserved, Outcome(_kernel.WriteAsync(write.Message, CancellationToken.None))));
                break;
            case SetPromiscuous promiscuous:
                if (Outcome(_kernel.SetPromiscuousAsync(promiscuous.Enabled, CancellationToken.None)) is { } promiscuousError)
                {
                    _log(LogLevel.Error, $"cannot turn promiscuous mode {(promiscuous.Enabled ? "on" : "off")}: {promiscuousError}");
                }

                break;
            case RequestKernelDump dump:
                var dumped = _kernel.DumpAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
                _post(new KernelDumpCompleted(dump.Peer, dump.RequestId, dumped, null));
                break;
            case ControlDaemon control:
                var error = _daemons.TryGetValue(control.Daemon, out var daemon)
                    ? Outcome(daemon.SetActiveAsync(control.Active, CancellationToken.None))
                    : $"no control for {control.Daemon}";
                _post(new DaemonControlCompleted(control.Daemon, control.Active, error));
                break;
            case AdjustCarpDemotion adjust:
                DemotionsHeld += adjust.Delta;
                if (Outcome(_demoter.AdjustAsync(adjust.Group, adjust.Delta, CancellationToken.None)) is { } demoteError)
                {
                    _log(LogLevel.Error, $"cannot adjust the demote counter of {adjust.Group} by {adjust.Delta}: {demoteError}");
                }

                break;
            case ArmTimer arm:
                if (_timers.Remove(arm.Timer, out var old))
                {
                    old.Dispose();
                }

                var which = arm.Timer;
                _timers[which] = _time.CreateTimer(_ => _post(new TimerFired(which)), null, arm.Delay < TimeSpan.Zero ? TimeSpan.Zero : arm.Delay, Timeout.InfiniteTimeSpan);
                break;
            case CancelTimer cancel:
                if (_timers.Remove(cancel.Timer, out var timer))
                {
                    timer.Dispose();
                }

                break;
            case AwaitPeerDrain drain:
                var drained = new PeerDrained(drain.Peer, drain.SnapshotId);
                if (_activeLinks.TryGetValue(drain.Peer, out var link))
                {
                    _network.NotifyWhenDrained(drain.Peer, link, () => _post(drained));
                }
                else
                {
                    _post(drained);
                }

                break;
            case ConnectMissingPeers:
                _network.DialNow();
                break;
            case ClosePeer close:
                _network.Close(close.Peer, close.Reason);
                break;
            case Log log:
                _log(log.Level, log.Message);
                break;
        }
    }

    /// <summary>The process ends: its timers go with it.</summary>
    public void Stop()
    {
        foreach (var timer in _timers.Values)
        {
            timer.Dispose();
        }

        _timers.Clear();
    }

    private void SendFrame(string peer, WireMessageType type, ReadOnlyMemory<byte> plaintext)
    {
        if (!_codecs().CanEncode(type, plaintext.Length, out var error))
        {
            _log(LogLevel.Warning, $"peer {peer}: message not sent: {error}");
            return;
        }

        if (_activeLinks.TryGetValue(peer, out var link))
        {
            _network.Send(peer, link, type, plaintext);
        }
    }

    private static string? Outcome(ValueTask pending)
    {
        try
        {
            pending.GetAwaiter().GetResult();
            return null;
        }
        catch (Exception e) when (e is KeyEngineException or SimulatedSystemCallException or InvalidOperationException or ObjectDisposedException)
        {
            return e.Message;
        }
    }
}

/// <summary>The node's PF_KEY socket has messages to read.</summary>
public sealed record KernelReadable
{
    public static readonly KernelReadable Instance = new();
}

/// <summary>SIGHUP with a new shared key: sessions are re-established under <paramref name="Codecs"/>.</summary>
public sealed record KeyReload(SharedKey Key, Func<IFrameCodecFactory> Codecs);
