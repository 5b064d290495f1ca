using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Logging;
using Sasync.Core.Config;
using Sasync.Core.Net;
using Sasync.Core.Platform;
using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>
/// Runs one sasyncd node: the async shell around <see cref="NodeCore"/>. What the kernel, the carp
/// interface and the peers report, and the outcomes of the node's own I/O, go into one inbox that
/// one loop hands to the core, item by item; the sessions are TCP (<see cref="PeerNetwork"/>) and
/// the I/O runs on the platform (<see cref="PlatformNodeIo"/>).
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
    // Kernel read batches on their way through the inbox at most: a reader further ahead waits, and the kernel's
    // socket queue holds the rest, so that the next batch takes a bigger burst (fewer items) and every batch is used
    // again (at most this many buffers of up to 64 KiB each stay allocated).
    private const int MaxKernelBatchesInFlight = 16;

    private readonly SyncSettings _settings;
    private readonly NodePlatform _platform;
    private readonly ILogger _logger;
    private readonly PeerNetwork _network;
    private readonly PlatformNodeIo _io;
    private readonly NodeCore _core;
    private readonly CancellationTokenSource _stop = new();

    // Everything the loop handles arrives here: engine events, session changes, the results of the
    // node's own work, status and reload requests. Bounded but for a few urgent kinds (NodeInbox.IsUrgent),
    // so that peers and the kernel feel backpressure instead of growing the node's memory.
    private readonly NodeInbox _inbox = new(InboxCapacity);
    private readonly List<Task> _loops = [];

    // Kernel read batches handed back by the loop once handled, for the kernel reader to fill again: a
    // reader that keeps up with its socket sends batches of a message or two, one item per message or so.
    private readonly Stack<KernelMessagesRead> _spareKernelBatches = new();
    private readonly Lock _spareKernelBatchesLock = new();
    private readonly SemaphoreSlim _kernelBatchesFree = new(MaxKernelBatchesInFlight);

    /// <summary>A node that does nothing until <see cref="StartAsync"/>.</summary>
    /// <param name="settings">The configuration; <see cref="ReloadAsync"/> replaces it.</param>
    /// <param name="platform">The kernel, carp interface and group, and IKE daemon controls of this host.</param>
    /// <param name="codecs">Frames the sessions under the configured shared key.</param>
    /// <param name="network">The listen addresses, peers and session limits.</param>
    /// <param name="time">The clock of the engine, its timers and the sessions.</param>
    /// <param name="loggers">Makes the <c>sasyncd</c> and <c>sasyncd.net</c> loggers.</param>
    public SyncNode(
        SyncSettings settings,
        NodePlatform platform,
        IFrameCodecFactory codecs,
        PeerNetworkOptions network,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(network);
        _settings = settings;
        _platform = platform;
        _logger = loggers.CreateLogger("sasyncd");
        // A snapshot chunk no bigger than the drained mark, on top of what is left when the next is
        // built, keeps the queue at half the peer's send budget at most.
        var engineOptions = new EngineOptions { Pid = platform.KeyEngine.Pid };
        var chunkBytes = (int)Math.Clamp(network.DrainedBytes, 1, engineOptions.SnapshotChunkBytes);
        _io = new PlatformNodeIo(platform, (item, token) => _inbox.WriteAsync(item, token), _stop.Token);
        // Each new session asks for the current codec, so a new key applies from the next session on.
        _network = new PeerNetwork(network, () => _core!.Codecs, OnNetworkEventAsync, time, loggers.CreateLogger("sasyncd.net"));
        _core = new NodeCore(settings, engineOptions with { SnapshotChunkBytes = chunkBytes }, codecs, _network, _io, time, _logger, Post);
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

        // The first state comes from the watch, read once it is in place, so that a carp change
        // between reading the state and starting to watch cannot be lost.
        var stop = _stop.Token;
        var carp = _platform.Carp.WatchAsync(_settings.CarpInterface, stop).GetAsyncEnumerator(stop);
        try
        {
            if (!await carp.MoveNextAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"the carp interface {_settings.CarpInterface} reported no state");
            }

            await _inbox.WriteAsync(new EngineStarted(carp.Current, demoted), cancellationToken).ConfigureAwait(false);
            _network.Start();
        }
        catch
        {
            await carp.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _loops.Add(Task.Run(() => EventLoopAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => KernelReadLoopAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(_io.RunKernelLoopAsync, CancellationToken.None));
        _loops.Add(Task.Run(() => CarpWatchLoopAsync(carp, stop), CancellationToken.None));
    }

    /// <summary>The engine's status plus the node's network counters, taken on the loop.</summary>
    public async Task<NodeStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var request = new StatusRequest();
        await _inbox.WriteAsync(request, cancellationToken).ConfigureAwait(false);
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
        await _inbox.WriteAsync(request, cancellationToken).ConfigureAwait(false);
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
                    await _inbox.WriteAsync(e, _stop.Token).ConfigureAwait(false);
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
            await foreach (var item in _inbox.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                switch (item)
                {
                    case ReloadRequest reload:
                        _core.Reload(reload.Settings, reload.Codecs);
                        reload.Done.TrySetResult();
                        break;
                    case StatusRequest request:
                        request.Result.TrySetResult(_core.Status());
                        break;
                    default:
                        var stretch = DaemonAllocationMeter.Begin();
                        _core.Handle(item);
                        if (item is KernelMessagesRead read)
                        {
                            ReturnKernelBatch(read);
                        }

                        stretch.End();
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // For callbacks on other threads (timers, drained links), which must not block.
    private void Post(object item)
    {
        if (!_inbox.TryWrite(item))
        {
            _ = _inbox.WriteAsync(item, _stop.Token).AsTask();
        }
    }

    private async Task KernelReadLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                // What the socket holds goes in one call, so that a burst is one inbox item and no array per message.
                await _kernelBatchesFree.WaitAsync(cancellationToken).ConfigureAwait(false);
                var read = RentKernelBatch();
                var platform = DaemonAllocationMeter.BeginPlatform();
                var reading = _platform.KeyEngine.ReadBatchAsync(read.Batch!, cancellationToken);
                platform.End();
                if (!await reading.ConfigureAwait(false))
                {
                    return;
                }

                var stretch = DaemonAllocationMeter.Begin();
                var queued = _inbox.TryWrite(read) ? ValueTask.CompletedTask : _inbox.WriteAsync(read, cancellationToken);
                stretch.End();
                await queued.ConfigureAwait(false);
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

    // Only the kernel reader puts KernelMessagesRead items in the inbox, each from here.
    private KernelMessagesRead RentKernelBatch()
    {
        lock (_spareKernelBatchesLock)
        {
            if (_spareKernelBatches.TryPop(out var spare))
            {
                return spare;
            }
        }

        var batch = new KernelMessageBatch(KernelMessageBatch.DefaultBytes, MaxKernelBatch);
        return new KernelMessagesRead(batch.Messages) { Batch = batch };
    }

    // The node keeps no message of a batch after handling it: what it relays, the network copies as it queues it
    // (PeerNetwork), and what a snapshot holds back, the engine copies.
    private void ReturnKernelBatch(KernelMessagesRead read)
    {
        if (read.Batch is not { } batch)
        {
            return;
        }

        batch.Clear();
        lock (_spareKernelBatchesLock)
        {
            _spareKernelBatches.Push(read);
        }

        _kernelBatchesFree.Release();
    }

    private async Task CarpWatchLoopAsync(IAsyncEnumerator<LinkState> carp, CancellationToken cancellationToken)
    {
        try
        {
            await using var _ = carp.ConfigureAwait(false);
            while (await carp.MoveNextAsync().ConfigureAwait(false))
            {
                await _inbox.WriteAsync(new CarpStateChanged(carp.Current), cancellationToken).ConfigureAwait(false);
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
        _core.Dispose();
        var held = _io.DemotionApplied;
        if (held > 0)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _platform.Demoter.AdjustAsync(_settings.CarpGroup, -held, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogPlatformError(_logger, "cannot undo the carp demotion on exit", e.Message);
            }
        }

        _stop.Dispose();
        _kernelBatchesFree.Dispose();
    }

    private sealed record ReloadRequest(SyncSettings Settings, IFrameCodecFactory Codecs)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    internal sealed class StatusRequest
    {
        public TaskCompletionSource<NodeStatus> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{What}: {Reason}")]
    private static partial void LogPlatformError(ILogger logger, string what, string reason);
}
