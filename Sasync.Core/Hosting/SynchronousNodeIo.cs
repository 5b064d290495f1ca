using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>
/// The node's I/O over a platform whose operations complete at once (the simulated kernel, carp
/// group and daemon recorder): each runs inside the call and its outcome is posted right away, so a
/// simulator or a test drives a <see cref="NodeCore"/> without any thread. An operation that does
/// not complete at once is still awaited and its outcome posted when it does; the kernel's order is
/// then no longer kept, so a platform for this must complete its kernel operations at once.
/// </summary>
public sealed class SynchronousNodeIo(NodePlatform platform, Action<object> post) : INodeIo
{
    private readonly Dictionary<long, KernelDumpFeed> _dumps = []; // being read, by request id (one engine's ids are unique)
    private KernelWriteCompleted? _lastSuccess;

    /// <inheritdoc/>
    public KernelWriteCompleted? WriteToKernel(WriteToKernel write)
    {
        ArgumentNullException.ThrowIfNull(write);
        return WriteToKernel(write.Peer, write.Message);
    }

    /// <inheritdoc/>
    public KernelWriteCompleted? WriteToKernel(string peer, ReadOnlyMemory<byte> message)
    {
        var type = message.Length >= 2 ? (SadbMessageType)message.Span[1] : SadbMessageType.Reserved;
        ValueTask pending;
        var platformCall = DaemonAllocationMeter.BeginPlatform();
        try
        {
            pending = platform.KeyEngine.WriteAsync(message, CancellationToken.None);
        }
        catch (Exception e)
        {
            pending = ValueTask.FromException(e);
        }
        finally
        {
            platformCall.End();
        }

        if (!pending.IsCompleted)
        {
            WriteLater(pending.AsTask(), peer, type);
            return null;
        }

        Exception? failure = null;
        try
        {
            pending.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            failure = e;
        }

        return failure is null ? Succeeded(peer, type) : new KernelWriteCompleted(peer, type, KernelFailureOf(failure));
    }

    // Its own method: a lambda in WriteToKernel would cost a closure on every call, finished or not.
    private void WriteLater(Task pending, string peer, SadbMessageType type) =>
        Later(pending, error => new KernelWriteCompleted(peer, type, KernelFailureOf(error)));

    // Outcomes are immutable: a run of successes of one type from one peer shares one (single-threaded, as the node's loop).
    private KernelWriteCompleted Succeeded(string peer, SadbMessageType type)
    {
        if (_lastSuccess is not { } last || last.Type != type || last.Peer != peer)
        {
            _lastSuccess = last = new KernelWriteCompleted(peer, type, null);
        }

        return last;
    }

    /// <inheritdoc/>
    public void SetPromiscuous(bool enabled) =>
        Report(Start(() => platform.KeyEngine.SetPromiscuousAsync(enabled, CancellationToken.None)), error => new PromiscuousSet(enabled, KernelFailureOf(error)));

    /// <inheritdoc/>
    /// <remarks>The chunks are read in the caller's thread, a few ahead of the engine (see <see cref="KernelDumpFeed"/>).</remarks>
    public void RequestDump(RequestKernelDump request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var feed = new KernelDumpFeed(request, platform.KeyEngine, Post, CancellationToken.None);
        feed.Pump(feed.TakeAsync());
        ForgetFinishedDumps();
        if (!feed.IsDone)
        {
            _dumps[request.RequestId] = feed; // waits for the engine to release a chunk, or for a slow key engine
        }
    }

    /// <inheritdoc/>
    public void AbandonDump(AbandonKernelDump abandon)
    {
        ArgumentNullException.ThrowIfNull(abandon);
        if (_dumps.Remove(abandon.RequestId, out var feed))
        {
            feed.Abandon();
        }
    }

    private void ForgetFinishedDumps()
    {
        foreach (var (id, feed) in _dumps)
        {
            if (feed.IsDone)
            {
                _dumps.Remove(id);
            }
        }
    }

    private ValueTask Post(object item)
    {
        post(item);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public void ControlDaemon(DaemonKind daemon, bool active)
    {
        var pending = platform.Daemons.TryGetValue(daemon, out var control)
            ? Start(() => control.SetActiveAsync(active, CancellationToken.None))
            : null;
        if (pending is null)
        {
            post(new DaemonControlCompleted(daemon, active, new DaemonControlFailure(DaemonControlFailureKind.NotConfigured, $"no control for {daemon} on this platform")));
            return;
        }

        Report(pending, error => new DaemonControlCompleted(daemon, active, error is null ? null : DaemonControlFailure.From(error)));
    }

    /// <inheritdoc/>
    public void AdjustDemotion(string group, int delta) =>
        Report(Start(() => platform.Demoter.AdjustAsync(group, delta, CancellationToken.None)), error => new DemotionAdjusted(group, delta, error?.Message));

    private static Task Start(Func<ValueTask> operation)
    {
        try
        {
            return operation().AsTask();
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    private void Report(Task pending, Func<Exception?, object> outcome)
    {
        if (pending.IsCompleted)
        {
            post(outcome(ErrorOf(pending)));
        }
        else
        {
            Later(pending, outcome);
        }
    }

    private void Later(Task pending, Func<Exception?, object> outcome) =>
        pending.ContinueWith(done => post(outcome(ErrorOf(done))), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static Exception? ErrorOf(Task done) =>
        done.IsCompletedSuccessfully ? null : done.Exception?.InnerException ?? new OperationCanceledException();

    private static KernelFailure? KernelFailureOf(Exception? error) => error is null ? null : KernelFailure.From(error);
}
