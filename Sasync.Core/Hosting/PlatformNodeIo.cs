using System.Threading.Channels;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>
/// The node's I/O on a real (or simulated) platform, for <see cref="SyncNode"/>: kernel operations
/// in one order on their own loop, daemon control with a timeout, demotion, each outcome delivered
/// to the node's inbox.
/// </summary>
/// <remarks>
/// <see cref="INodeIo"/>'s methods are called from the node's loop only; <see cref="RunAsync"/> runs
/// the kernel loop on another.
/// </remarks>
internal sealed class PlatformNodeIo(NodePlatform platform, Func<object, CancellationToken, ValueTask> deliver, CancellationToken stop) : INodeIo
{
    private static readonly TimeSpan DaemonControlTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The most kernel writes started and not yet finished (see <see cref="RunKernelLoopAsync"/>).</summary>
    private const int MaxWritesInFlight = 1024;

    // The key engine's write runs, when it has them (the simulated kernel): see BeginKernelWrites.
    private readonly IKeyEngineWriteRun? _writeRuns = platform.KeyEngine as IKeyEngineWriteRun;
    private readonly Channel<KernelOperation> _kernelQueue = Channel.CreateUnbounded<KernelOperation>(new UnboundedChannelOptions { SingleReader = true });

    // Operations handed to the kernel loop and not finished: while there are any, writes queue
    // behind them to keep the kernel's order; otherwise a write the kernel takes at once is made
    // on the event loop, which saves two thread hand-offs per message.
    private int _kernelOperationsQueued;

    // Dumps asked for and not finished, by request id (one engine's ids are unique): null until the kernel loop takes
    // it. An id abandoned before that is gone from here, and the loop skips it. Locked: the node's loop and the kernel loop.
    private readonly Dictionary<long, KernelDumpFeed?> _dumps = [];
    private readonly Lock _dumpsLock = new();
    private int _demotionApplied;
    private KernelWriteCompleted? _lastSuccess;

    /// <summary>The net change this node made to the demote counter and that the platform accepted.</summary>
    public int DemotionApplied => Volatile.Read(ref _demotionApplied);

    public KernelWriteCompleted? WriteToKernel(WriteToKernel write)
    {
        ArgumentNullException.ThrowIfNull(write);
        return WriteToKernel(write.Peer, write.Message, write);
    }

    public KernelWriteCompleted? WriteToKernel(string peer, ReadOnlyMemory<byte> message) => WriteToKernel(peer, message, null);

    // The effect record is made only for a write that has to wait (the kernel loop keeps it).
    private KernelWriteCompleted? WriteToKernel(string peer, ReadOnlyMemory<byte> message, WriteToKernel? write)
    {
        if (Volatile.Read(ref _kernelOperationsQueued) != 0)
        {
            Queue(new KernelOperation(write ?? new WriteToKernel(peer, message), null, null));
            return null;
        }

        ValueTask pending;
        var platformCall = DaemonAllocationMeter.BeginPlatform();
        try
        {
            pending = platform.KeyEngine.WriteAsync(message, stop);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Completed(peer, message, KernelFailure.From(e));
        }
        finally
        {
            platformCall.End();
        }

        if (!pending.IsCompleted)
        {
            // Still in flight: the kernel loop waits for it, and later operations queue behind it.
            Queue(new KernelOperation(write ?? new WriteToKernel(peer, message), null, null, pending.AsTask()));
            return null;
        }

        try
        {
            pending.GetAwaiter().GetResult();
            return Completed(peer, message, null);
        }
        catch (OperationCanceledException)
        {
            return null; // stopping
        }
        catch (Exception e)
        {
            return Completed(peer, message, KernelFailure.From(e));
        }
    }

    public void BeginKernelWrites() => _writeRuns?.BeginWriteRun();

    public void EndKernelWrites() => _writeRuns?.EndWriteRun();

    public void SetPromiscuous(bool enabled) => Queue(new KernelOperation(null, enabled, null));

    public void RequestDump(RequestKernelDump request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_dumpsLock)
        {
            foreach (var (id, feed) in _dumps)
            {
                if (feed is { IsDone: true })
                {
                    _dumps.Remove(id);
                }
            }

            _dumps[request.RequestId] = null;
        }

        Queue(new KernelOperation(null, null, request));
    }

    public void AbandonDump(AbandonKernelDump abandon)
    {
        ArgumentNullException.ThrowIfNull(abandon);
        KernelDumpFeed? feed;
        lock (_dumpsLock)
        {
            if (!_dumps.Remove(abandon.RequestId, out feed))
            {
                return; // read to its end already
            }
        }

        feed?.Abandon(); // null: not taken yet, and the kernel loop will skip it
    }

    public void ControlDaemon(DaemonKind daemon, bool active) => _ = RunAsync(() => ControlDaemonAsync(daemon, active));

    public void AdjustDemotion(string group, int delta) => _ = RunAsync(() => AdjustDemotionAsync(group, delta));

    /// <summary>Carries out the queued kernel operations in order until <c>stop</c>.</summary>
    /// <remarks>
    /// Writes queued back to back are started one after the other and their outcomes awaited in order,
    /// up to <see cref="MaxWritesInFlight"/> at once: the key engine takes them in order either way, and one
    /// whose write is a round trip to another process (the privileged one's simulated kernel under privilege
    /// separation) pays that round trip once per batch instead of once per message.
    /// </remarks>
    public async Task RunKernelLoopAsync()
    {
        var inFlight = new Queue<(WriteToKernel Write, Task Done)>();
        try
        {
            await foreach (var operation in _kernelQueue.Reader.ReadAllAsync(stop).ConfigureAwait(false))
            {
                if (operation.Write is { } write)
                {
                    var done = operation.InFlight ?? StartWrite(write);
                    inFlight.Enqueue((write, done));
                    if (done.IsCompleted && inFlight.Count == 1)
                    {
                        // Finished at once (an in-process kernel): its outcome goes now, as it always did.
                        await CompleteWritesAsync(inFlight).ConfigureAwait(false);
                        continue;
                    }

                    if (inFlight.Count < MaxWritesInFlight && _kernelQueue.Reader.TryPeek(out var next) && next.Write is not null)
                    {
                        continue;
                    }

                    await CompleteWritesAsync(inFlight).ConfigureAwait(false);
                    continue;
                }

                object outcome;
                if (operation.Dump is { } dump)
                {
                    // Only taking the dump is in the kernel's order; it is read on (and its digest made) beside later writes.
                    if (!IsWanted(dump.RequestId))
                    {
                        Interlocked.Decrement(ref _kernelOperationsQueued); // abandoned while it waited its turn
                        continue;
                    }

                    var feed = new KernelDumpFeed(dump, platform.KeyEngine, item => deliver(item, stop), stop);
                    lock (_dumpsLock)
                    {
                        if (_dumps.ContainsKey(dump.RequestId))
                        {
                            _dumps[dump.RequestId] = feed;
                        }
                        else
                        {
                            feed.Abandon(); // just now: it stops at its first chunk
                        }
                    }

                    bool more;
                    try
                    {
                        more = await feed.TakeAsync().ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        lock (_dumpsLock)
                        {
                            _dumps.Remove(dump.RequestId);
                        }

                        Interlocked.Decrement(ref _kernelOperationsQueued);
                        await deliver(new KernelDumpCompleted(dump.Peer, dump.RequestId, KernelFailure.From(e)), stop).ConfigureAwait(false);
                        continue;
                    }

                    Interlocked.Decrement(ref _kernelOperationsQueued);
                    _ = Task.Run(() => feed.RunAsync(more, stop), CancellationToken.None);
                    continue;
                }
                else
                {
                    var enabled = operation.Promiscuous!.Value;
                    KernelFailure? error = null;
                    try
                    {
                        await platform.KeyEngine.SetPromiscuousAsync(enabled, stop).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        error = KernelFailure.From(e);
                    }

                    outcome = new PromiscuousSet(enabled, error);
                }

                Interlocked.Decrement(ref _kernelOperationsQueued);
                await deliver(outcome, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private bool IsWanted(long requestId)
    {
        lock (_dumpsLock)
        {
            return _dumps.ContainsKey(requestId);
        }
    }

    private Task StartWrite(WriteToKernel write)
    {
        try
        {
            return platform.KeyEngine.WriteAsync(write.Message, stop).AsTask();
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    private async Task CompleteWritesAsync(Queue<(WriteToKernel Write, Task Done)> inFlight)
    {
        while (inFlight.TryDequeue(out var started))
        {
            KernelFailure? error = null;
            try
            {
                await started.Done.ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = KernelFailure.From(e);
            }

            Interlocked.Decrement(ref _kernelOperationsQueued);
            await deliver(Completed(started.Write, error), stop).ConfigureAwait(false);
        }
    }

    private void Queue(KernelOperation operation)
    {
        Interlocked.Increment(ref _kernelOperationsQueued);
        _kernelQueue.Writer.TryWrite(operation);
    }

    private KernelWriteCompleted Completed(WriteToKernel write, KernelFailure? error) => Completed(write.Peer, write.Message, error);

    // Outcomes are immutable, and a run of writes from one peer is mostly successes of one type: the last
    // success is handed out again instead of a new record per message. (Only the loops that produce outcomes
    // touch it, and never at the same time: writes complete on the node's loop only while none is queued.)
    private KernelWriteCompleted Completed(string peer, ReadOnlyMemory<byte> message, KernelFailure? error)
    {
        var type = message.Length >= 2 ? (SadbMessageType)message.Span[1] : SadbMessageType.Reserved;
        if (error is not null)
        {
            return new KernelWriteCompleted(peer, type, error);
        }

        var last = Volatile.Read(ref _lastSuccess);
        if (last is null || last.Type != type || !ReferenceEquals(last.Peer, peer) && last.Peer != peer)
        {
            last = new KernelWriteCompleted(peer, type, null);
            Volatile.Write(ref _lastSuccess, last);
        }

        return last;
    }

    private async Task RunAsync(Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task ControlDaemonAsync(DaemonKind kind, bool active)
    {
        DaemonControlFailure? error = null;
        if (!platform.Daemons.TryGetValue(kind, out var daemon))
        {
            error = new DaemonControlFailure(DaemonControlFailureKind.NotConfigured, $"no control for {kind} on this platform");
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(DaemonControlTimeout);
                await daemon.SetActiveAsync(active, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                error = DaemonControlFailure.From(e);
            }
        }

        await deliver(new DaemonControlCompleted(kind, active, error), stop).ConfigureAwait(false);
    }

    private async Task AdjustDemotionAsync(string group, int delta)
    {
        string? error = null;
        try
        {
            await platform.Demoter.AdjustAsync(group, delta, stop).ConfigureAwait(false);
            Interlocked.Add(ref _demotionApplied, delta);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            error = e.Message;
        }

        await deliver(new DemotionAdjusted(group, delta, error), stop).ConfigureAwait(false);
    }

    /// <summary>
    /// One of the kernel operations that must happen in order: a write (or one already in flight),
    /// a promiscuous switch, a dump.
    /// </summary>
    private sealed record KernelOperation(WriteToKernel? Write, bool? Promiscuous, RequestKernelDump? Dump, Task? InFlight = null);
}
