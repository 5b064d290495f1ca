using System.Collections.Immutable;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sasync.Core.Config;
using Sasync.Core.Net;
using Sasync.Core.Platform;
using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>
/// Runs one sasyncd node: feeds the <see cref="SyncEngine"/> with what the kernel, the carp
/// interface and the peers report, one event at a time on one loop, and carries out the effects it
/// answers with. All I/O lives here; the engine only decides.
/// </summary>
/// <remarks>
/// The node's loops (events, kernel, peer sessions) keep thread-pool threads while they have work,
/// so a host should let the pool grow at once (<see cref="ThreadPool.SetMinThreads"/>; sasyncd-cs
/// sets a minimum of 16 in its runtime configuration): otherwise, under load, a carp event can wait
/// tens of milliseconds for a thread.
/// </remarks>
public sealed partial class SyncNode : IAsyncDisposable
{
    private const int InboxCapacity = 1024;
    private const int MaxKernelBatch = 256;

    private readonly SyncSettings _settings;
    private readonly NodePlatform _platform;
    private IFrameCodecFactory _codecs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SyncEngine _engine;
    private readonly PeerNetwork _network;
    private SharedKey _sharedKey;
    private readonly CancellationTokenSource _stop = new();

    // Everything the loop handles arrives here, in order: engine events, session changes, the
    // results of the node's own work, status and reload requests. Bounded, so that peers and the
    // kernel feel backpressure instead of growing the node's memory.
    private readonly Channel<object> _inbox = Channel.CreateBounded<object>(
        new BoundedChannelOptions(InboxCapacity) { SingleReader = true });
    private readonly Channel<KernelOperation> _kernelQueue = Channel.CreateUnbounded<KernelOperation>(new UnboundedChannelOptions { SingleReader = true });
    // Operations handed to the kernel loop and not finished: while there are any, writes queue
    // behind them to keep the kernel's order; otherwise a write the kernel takes at once is made
    // on the event loop, which saves two thread hand-offs per message.
    private int _kernelOperationsQueued;
    // Events the node's own work produced while handling an item, handled before the next item.
    private readonly Queue<EngineEvent> _followUps = new();
    private readonly Dictionary<EngineTimer, ITimer> _timers = [];
    private readonly Dictionary<string, long> _activeLinks = new(StringComparer.Ordinal);
    private readonly List<Task> _loops = [];
    private int _demotionsHeld;
    private long _framesUnsendable;

    public SyncNode(
        SyncSettings settings,
        NodePlatform platform,
        IFrameCodecFactory codecs,
        PeerNetworkOptions network,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        _settings = settings;
        _platform = platform;
        _codecs = codecs;
        _time = time;
        _logger = loggers.CreateLogger("sasyncd");
        // A snapshot chunk no bigger than the drained mark, on top of what is left when the next is
        // built, keeps the queue at half the peer's send budget at most.
        ArgumentNullException.ThrowIfNull(network);
        var engineOptions = new EngineOptions { Pid = platform.KeyEngine.Pid };
        var chunkBytes = (int)Math.Clamp(network.DrainedBytes, 1, engineOptions.SnapshotChunkBytes);
        _engine = new SyncEngine(settings, engineOptions with { SnapshotChunkBytes = chunkBytes }, time);
        _sharedKey = settings.SharedKey;
        // Each new session asks for the current codec, so a new key applies from the next session on.
        _network = new PeerNetwork(network, () => Volatile.Read(ref _codecs), OnNetworkEventAsync, time, loggers.CreateLogger("sasyncd.net"));
    }

    /// <summary>Where the node listens for peers (useful when the port was 0).</summary>
    public ImmutableArray<IPEndPoint> ListenEndPoints => _network.ListenEndPoints;

    /// <summary>Reads the initial carp state and demotion, starts listening and dialling, and starts the loop.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var demoted = false;
        try
        {
            demoted = await _platform.Demoter.ReadAsync(_settings.CarpGroup, cancellationToken).ConfigureAwait(false) > 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPlatformError(_logger, $"cannot read the demote counter of group {_settings.CarpGroup}", e.Message);
        }

        var link = await _platform.Carp.ReadAsync(_settings.CarpInterface, cancellationToken).ConfigureAwait(false);
        await _inbox.Writer.WriteAsync(new EngineStarted(link, demoted), cancellationToken).ConfigureAwait(false);
        _network.Start();
        var stop = _stop.Token;
        _loops.Add(Task.Run(() => EventLoopAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => KernelReadLoopAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => KernelWriteLoopAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => CarpWatchLoopAsync(stop), CancellationToken.None));
    }

    /// <summary>The engine's status plus the node's network counters, taken on the loop.</summary>
    public async Task<NodeStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var request = new StatusRequest();
        await _inbox.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        return await request.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies a reloaded configuration (SIGHUP) without touching the kernel: new peers are dialled,
    /// removed ones closed, and a new shared key applies to every session, which are re-established
    /// under it. Returns the settings that differ but only take effect after a restart.
    /// </summary>
    public async Task<ImmutableArray<string>> ReloadAsync(SyncSettings settings, IFrameCodecFactory codecs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var request = new ReloadRequest(settings, codecs);
        await _inbox.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        await request.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var current = _settings with { Peers = settings.Peers, SharedKey = settings.SharedKey };
        var ignored = ImmutableArray.CreateBuilder<string>();
        if (current.CarpInterface != settings.CarpInterface) { ignored.Add("interface"); }
        if (current.CarpGroup != settings.CarpGroup) { ignored.Add("group"); }
        if (current.FlushMode != settings.FlushMode) { ignored.Add("flushmode"); }
        if (current.Listen != settings.Listen) { ignored.Add("listen"); }
        if (current.Control != settings.Control) { ignored.Add("control"); }
        if (current.Mode != settings.Mode || current.SkipSlave != settings.SkipSlave) { ignored.Add("mode"); }
        return ignored.ToImmutable();
    }

    private async ValueTask OnNetworkEventAsync(PeerNetworkEvent e)
    {
        try
        {
            switch (e)
            {
                case PeerLinkUp or PeerLinkDown or PeerLinkFrames:
                    await _inbox.Writer.WriteAsync(e, _stop.Token).ConfigureAwait(false);
                    break;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping: a connection accepted in the meantime must not fault the network's loops.
        }
    }

    private async Task EventLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in _inbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                Dispatch(item);
                while (_followUps.TryDequeue(out var followUp))
                {
                    Handle(followUp);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Dispatch(object item)
    {
        switch (item)
        {
            case EngineEvent e:
                Handle(e);
                break;
            case KernelMessagesRead read:
                foreach (var message in read.Messages)
                {
                    Handle(new KernelMessageReceived(message));
                }

                break;
            case PeerLinkUp up:
                _activeLinks[up.Peer] = up.LinkId;
                Handle(new PeerConnected(up.Peer, up.Outbound ? PeerDirection.Outbound : PeerDirection.Inbound, [up.Remote.Address]));
                break;
            case PeerLinkFrames received:
                // Frames of a session that was already replaced are dropped: they belong to the old one.
                foreach (var frame in received.Frames)
                {
                    if (!_activeLinks.TryGetValue(received.Peer, out var active) || active != received.LinkId)
                    {
                        break;
                    }

                    Handle(new PeerFrameReceived(received.Peer, frame.Type, frame.Plaintext));
                }

                break;
            case PeerLinkDown down:
                // A late report about a session that was already replaced changes nothing.
                if (_activeLinks.TryGetValue(down.Peer, out var id) && id == down.LinkId)
                {
                    _activeLinks.Remove(down.Peer);
                    Handle(new PeerDisconnected(down.Peer, down.Reason, down.Routine));
                }

                break;
            case ReloadRequest reload:
                var keyChanged = !reload.Settings.SharedKey.Equals(_sharedKey);
                _sharedKey = reload.Settings.SharedKey;
                _network.SetPeers(reload.Settings.Peers);
                if (keyChanged)
                {
                    Volatile.Write(ref _codecs, reload.Codecs);
                    foreach (var peer in _activeLinks.Keys.ToList())
                    {
                        _network.Close(peer, "the shared key changed");
                    }
                }

                reload.Done.TrySetResult();
                break;
            case StatusRequest request:
                request.Result.TrySetResult(new NodeStatus(_engine.Status, _network.RefusedConnections, _network.SlowPeerDrops, _framesUnsendable, _network.SessionStatus()));
                break;
        }
    }

    private void Handle(EngineEvent e)
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
                SendFrame(send.Peer, Wire.WireMessageType.Control, send.Message.ToBytes());
                break;
            case SendPfKey send:
                SendFrame(send.Peer, Wire.WireMessageType.PfKey, send.Message);
                break;
            case WriteToKernel write:
                WriteToKernel(write);
                break;
            case SetPromiscuous promiscuous:
                QueueKernelOperation(new KernelOperation(null, promiscuous.Enabled, null));
                break;
            case RequestKernelDump dump:
                // In line with the promiscuous switch: a dump taken before promiscuous mode is on
                // could miss an SA added in between, which then would be neither relayed nor dumped.
                QueueKernelOperation(new KernelOperation(null, null, dump));
                break;
            case ControlDaemon control:
                _ = RunAsync(() => ControlDaemonAsync(control));
                break;
            case AdjustCarpDemotion adjust:
                _demotionsHeld += adjust.Delta;
                _ = RunAsync(() => AdjustDemotionAsync(adjust));
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
            case Log log:
#pragma warning disable CA1848, CA2254 // The engine composes its own messages.
                _logger.Log(log.Level, log.Message);
#pragma warning restore CA1848, CA2254
                break;
        }
    }

    private void QueueKernelOperation(KernelOperation operation)
    {
        Interlocked.Increment(ref _kernelOperationsQueued);
        _kernelQueue.Writer.TryWrite(operation);
    }

    private void WriteToKernel(WriteToKernel write)
    {
        if (Volatile.Read(ref _kernelOperationsQueued) != 0)
        {
            QueueKernelOperation(new KernelOperation(write, null, null));
            return;
        }

        ValueTask pending;
        try
        {
            pending = _platform.KeyEngine.WriteAsync(write.Message, _stop.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _followUps.Enqueue(Completed(write, e.Message));
            return;
        }

        if (!pending.IsCompleted)
        {
            // Still in flight: the kernel loop waits for it, and later operations queue behind it.
            QueueKernelOperation(new KernelOperation(write, null, null, pending.AsTask()));
            return;
        }

        string? error = null;
        try
        {
            pending.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return; // stopping
        }
        catch (Exception e)
        {
            error = e.Message;
        }

        _followUps.Enqueue(Completed(write, error));
    }

    private static KernelWriteCompleted Completed(WriteToKernel write, string? error) =>
        new(write.Peer, write.Message.Length >= 2 ? (PfKey.SadbMessageType)write.Message.Span[1] : PfKey.SadbMessageType.Reserved, error);

    private void SendFrame(string peer, Wire.WireMessageType type, ReadOnlyMemory<byte> plaintext)
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
            _network.NotifyWhenDrained(request.Peer, link, () => Post(drained));
        }
        else
        {
            Post(drained);
        }
    }

    // For callbacks on other threads (timers, drained links), which must not block.
    private void Post(object item)
    {
        if (!_inbox.Writer.TryWrite(item))
        {
            _ = _inbox.Writer.WriteAsync(item, _stop.Token).AsTask();
        }
    }

    private void Arm(ArmTimer arm)
    {
        if (_timers.Remove(arm.Timer, out var old))
        {
            old.Dispose();
        }

        var which = arm.Timer;
        _timers[which] = _time.CreateTimer(
            _ => Post(new TimerFired(which)),
            null,
            arm.Delay < TimeSpan.Zero ? TimeSpan.Zero : arm.Delay,
            Timeout.InfiniteTimeSpan);
    }

    private async Task RunAsync(Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task DumpAsync(RequestKernelDump request)
    {
        EngineEvent result;
        try
        {
            var dump = await _platform.KeyEngine.DumpAsync(_stop.Token).ConfigureAwait(false);
            result = new KernelDumpCompleted(request.Peer, request.RequestId, dump, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            result = new KernelDumpCompleted(request.Peer, request.RequestId, null, e.Message);
        }

        await _inbox.Writer.WriteAsync(result, _stop.Token).ConfigureAwait(false);
    }

    private async Task ControlDaemonAsync(ControlDaemon control)
    {
        string? error = null;
        if (!_platform.Daemons.TryGetValue(control.Daemon, out var daemon))
        {
            error = $"no control for {control.Daemon} on this platform";
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                await daemon.SetActiveAsync(control.Active, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                error = e.Message;
            }
        }

        await _inbox.Writer.WriteAsync(new DaemonControlCompleted(control.Daemon, control.Active, error), _stop.Token).ConfigureAwait(false);
    }

    private async Task AdjustDemotionAsync(AdjustCarpDemotion adjust)
    {
        try
        {
            await _platform.Demoter.AdjustAsync(adjust.Group, adjust.Delta, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPlatformError(_logger, $"cannot adjust the demote counter of group {adjust.Group} by {adjust.Delta}", e.Message);
        }
    }

    private async Task KernelReadLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            var messages = _platform.KeyEngine.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using var _ = messages.ConfigureAwait(false);
            var more = messages.MoveNextAsync();
            while (await more.ConfigureAwait(false))
            {
                // Take what the socket already holds without waiting, so that a burst is one inbox item.
                var batch = new List<ReadOnlyMemory<byte>> { messages.Current };
                more = messages.MoveNextAsync();
                while (more.IsCompleted && batch.Count < MaxKernelBatch)
                {
                    if (!more.GetAwaiter().GetResult())
                    {
                        more = new ValueTask<bool>(false);
                        break;
                    }

                    batch.Add(messages.Current);
                    more = messages.MoveNextAsync();
                }

                await _inbox.Writer.WriteAsync(new KernelMessagesRead(batch), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            LogPlatformError(_logger, "reading PF_KEY failed", e.Message);
        }
    }

    private async Task KernelWriteLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var operation in _kernelQueue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (operation.Dump is { } dump)
                {
                    await DumpAsync(dump).ConfigureAwait(false);
                    Interlocked.Decrement(ref _kernelOperationsQueued);
                    continue;
                }

                if (operation.Promiscuous is { } enabled)
                {
                    try
                    {
                        await _platform.KeyEngine.SetPromiscuousAsync(enabled, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogPlatformError(_logger, $"cannot turn promiscuous mode {(enabled ? "on" : "off")}", e.Message);
                    }

                    Interlocked.Decrement(ref _kernelOperationsQueued);
                    continue;
                }

                var write = operation.Write!;
                string? error = null;
                try
                {
                    await (operation.InFlight ?? _platform.KeyEngine.WriteAsync(write.Message, cancellationToken).AsTask()).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    error = e.Message;
                }

                Interlocked.Decrement(ref _kernelOperationsQueued);
                await _inbox.Writer.WriteAsync(Completed(write, error), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CarpWatchLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var state in _platform.Carp.WatchAsync(_settings.CarpInterface, cancellationToken).ConfigureAwait(false))
            {
                await _inbox.Writer.WriteAsync(new CarpStateChanged(state), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            LogPlatformError(_logger, "watching the carp interface failed", e.Message);
        }
    }

    /// <summary>Stops every loop and session, and gives back a demotion still held.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _network.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        foreach (var timer in _timers.Values)
        {
            timer.Dispose();
        }

        if (_demotionsHeld > 0)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _platform.Demoter.AdjustAsync(_settings.CarpGroup, -_demotionsHeld, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogPlatformError(_logger, "cannot undo the carp demotion on exit", e.Message);
            }
        }

        _stop.Dispose();
    }

    /// <summary>
    /// One of the kernel operations that must happen in order: a write (or one already in flight),
    /// a promiscuous switch, a dump.
    /// </summary>
    private sealed record KernelOperation(WriteToKernel? Write, bool? Promiscuous, RequestKernelDump? Dump, Task? InFlight = null);

    /// <summary>Messages read from the kernel in one go.</summary>
    private sealed record KernelMessagesRead(List<ReadOnlyMemory<byte>> Messages);

    private sealed record ReloadRequest(SyncSettings Settings, IFrameCodecFactory Codecs)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class StatusRequest
    {
        public TaskCompletionSource<NodeStatus> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{What}: {Reason}")]
    private static partial void LogPlatformError(ILogger logger, string what, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "the sync engine failed on {Event}")]
    private static partial void LogEngineFailure(ILogger logger, string @event, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "peer {Peer}: message not sent: {Reason}")]
    private static partial void LogUnsendable(ILogger logger, string peer, string reason);
}

/// <summary>A node's status: the engine's view plus network totals, and each peer's session bookkeeping by name.</summary>
public sealed record NodeStatus(
    EngineStatus Engine,
    long RefusedConnections,
    long SlowPeerDrops,
    long FramesUnsendable,
    ImmutableDictionary<string, Sessions.PeerSessionStatus>? Sessions = null);
