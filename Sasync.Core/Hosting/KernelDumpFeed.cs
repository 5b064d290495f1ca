using Sasync.Core.Platform;
using Sasync.Core.Sync;
using Sasync.Core.Sync.Digest;

namespace Sasync.Core.Hosting;

/// <summary>
/// Reads one dump for the engine, as <see cref="RequestKernelDump"/> asks: for a snapshot, its chunks go to the
/// engine with at most <see cref="Window"/> out at once (the next is read once the engine disposed one); for a
/// digest, each chunk goes into the digest and straight back, and only the completion goes to the engine. Either
/// way the completion (<see cref="KernelDumpCompleted"/>) comes last, with the failure if the dump failed midway.
/// A dump the engine abandoned (<see cref="Abandon"/>) stops at its next chunk, without a completion.
/// </summary>
/// <remarks>
/// The host starts it once the kernel's order allows (the first chunk is the dump's consistent view) and posts what
/// it hands out in order. <see cref="RunAsync"/> reads on its own task (<see cref="PlatformNodeIo"/>: the digest and
/// the key engine's work stay off the node's loop); <see cref="Pump"/> reads in the caller's thread for a key engine
/// that answers at once (<see cref="SynchronousNodeIo"/>: a simulator needs no thread).
/// </remarks>
internal sealed class KernelDumpFeed
{
    /// <summary>Chunks handed to the engine and not yet disposed: with the key engine's 256 KiB chunks, about 1 MiB per peer.</summary>
    public const int Window = 4;

    private readonly RequestKernelDump _request;
    private readonly IAsyncEnumerator<KernelDumpChunk> _chunks;
    private readonly KernelDigest? _digest;
    private readonly Func<object, ValueTask> _deliver;
    private readonly SemaphoreSlim _room = new(Window - 1); // one for the chunk read before any wait
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _abandoned = new();
    private int _out;
    private bool _pumping;
    private bool _done;

    /// <param name="request">The dump asked for.</param>
    /// <param name="keys">The key engine to dump.</param>
    /// <param name="deliver">Posts an event to the node (at once, for <see cref="Pump"/>).</param>
    /// <param name="cancellationToken">Stops the reading (the node stops).</param>
    public KernelDumpFeed(RequestKernelDump request, IKeyEngine keys, Func<object, ValueTask> deliver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(keys);
        _request = request;
        _deliver = deliver;
        _digest = request.Use == KernelDumpUse.Digest ? new KernelDigest(request.DigestFilter) : null;
        try
        {
            _chunks = keys.DumpAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _chunks = Failed(e).GetAsyncEnumerator(cancellationToken); // reported as any failed dump
        }
    }

    private static async IAsyncEnumerable<KernelDumpChunk> Failed(Exception e)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        yield break;
    }

    /// <summary>The dump is read to its end (or failed, or stopped after <see cref="Abandon"/>): nothing more comes from it.</summary>
    public bool IsDone
    {
        get
        {
            lock (_lock)
            {
                return _done;
            }
        }
    }

    private bool IsAbandoned => _abandoned.IsCancellationRequested;

    /// <summary>
    /// The engine no longer wants the dump (<see cref="AbandonKernelDump"/>): reading stops before the next chunk, and
    /// no completion is posted. Chunks handed out already stay the engine's to dispose. Any thread.
    /// </summary>
    public void Abandon()
    {
        _abandoned.Cancel(); // also ends a wait for room in the window
    }

    /// <summary>Asks for the first chunk, which takes the dump; completes when it is in (or the dump failed).</summary>
    public ValueTask<bool> TakeAsync()
    {
        try
        {
            return _chunks.MoveNextAsync();
        }
        catch (Exception e)
        {
            return ValueTask.FromException<bool>(e);
        }
    }

    /// <summary>Reads the rest after <see cref="TakeAsync"/> answered <paramref name="more"/>, and posts the completion; returns when done.</summary>
    public async Task RunAsync(bool more, CancellationToken cancellationToken)
    {
        KernelFailure? failure = null;
        using var stopOrAbandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abandoned.Token);
        try
        {
            while (more)
            {
                if (IsAbandoned)
                {
                    _chunks.Current.Dispose();
                    break;
                }

                var handed = Hand(_chunks.Current, onRelease: () => _room.Release());
                if (!handed.IsCompletedSuccessfully)
                {
                    await handed.ConfigureAwait(false);
                }

                if (_digest is null)
                {
                    await _room.WaitAsync(stopOrAbandon.Token).ConfigureAwait(false);
                }

                more = await _chunks.MoveNextAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || IsAbandoned)
        {
            await StopAsync().ConfigureAwait(false);
            return;
        }
        catch (Exception e)
        {
            failure = KernelFailure.From(e);
        }

        await StopAsync().ConfigureAwait(false);
        if (!IsAbandoned)
        {
            await Complete(failure).ConfigureAwait(false);
        }
    }

    private ValueTask StopAsync()
    {
        lock (_lock)
        {
            if (_done)
            {
                return ValueTask.CompletedTask;
            }

            _done = true;
        }

        return _chunks.DisposeAsync();
    }

    /// <summary>
    /// Reads on in this thread while fewer than <see cref="Window"/> chunks are out and the key engine answers at once;
    /// a release by the engine pumps on. <paramref name="taken"/> is <see cref="TakeAsync"/>'s answer.
    /// </summary>
    public void Pump(ValueTask<bool> taken)
    {
        var next = taken;
        lock (_lock)
        {
            _pumping = true;
        }

        try
        {
            while (true)
            {
                if (!next.IsCompleted)
                {
                    _ = WhenReadAsync(next.AsTask());
                    return;
                }

                bool more;
                try
                {
                    more = next.GetAwaiter().GetResult();
                }
                catch (Exception e)
                {
                    if (IsAbandoned)
                    {
                        _ = StopAsync();
                        return;
                    }

                    Finish(KernelFailure.From(e));
                    return;
                }

                if (!more)
                {
                    Finish(null);
                    return;
                }

                if (IsAbandoned)
                {
                    _chunks.Current.Dispose();
                    _ = StopAsync();
                    return;
                }

                _ = Hand(_chunks.Current, onRelease: Released);
                lock (_lock)
                {
                    if (_digest is null && _out >= Window)
                    {
                        _pumping = false;
                        return; // the engine's next release reads on
                    }
                }

                next = TakeAsync();
            }
        }
        finally
        {
            lock (_lock)
            {
                _pumping = false;
            }
        }
    }

    // A key engine that did not answer at once: the pumping goes on where it completes.
    private async Task WhenReadAsync(Task<bool> pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Pump takes the outcome from the task
        }

        Pump(new ValueTask<bool>(pending));
    }

    private void Released()
    {
        lock (_lock)
        {
            _out--;
            if (_pumping || _done || _out >= Window)
            {
                return;
            }
        }

        if (IsAbandoned)
        {
            _ = StopAsync(); // no next chunk is asked for
            return;
        }

        Pump(TakeAsync());
    }

    private ValueTask Hand(KernelDumpChunk chunk, Action onRelease)
    {
        if (_digest is not null)
        {
            using (chunk)
            {
                _digest.Add(chunk.Table, chunk.Records);
            }

            return ValueTask.CompletedTask;
        }

        lock (_lock)
        {
            _out++;
        }

        chunk.OnRelease(onRelease);
        return _deliver(new KernelDumpChunkRead(_request.Peer, _request.RequestId, chunk));
    }

    private void Finish(KernelFailure? failure)
    {
        _ = StopAsync();
        _ = Complete(failure);
    }

    private ValueTask Complete(KernelFailure? failure) =>
        _deliver(new KernelDumpCompleted(_request.Peer, _request.RequestId, failure, failure is null ? _digest?.Digest : null, failure is null ? _digest?.Problem : null));
}
