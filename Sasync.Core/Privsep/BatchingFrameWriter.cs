using System.Buffers;

namespace Sasync.Core.Privsep;

/// <summary>
/// Writes frames to a stream from one loop, gathering what is queued meanwhile into one write: a burst of
/// PF_KEY messages or write answers on the simulated PF_KEY stream then costs one system call, not one
/// each, and no array per frame (frames are copied straight into the batch). <see cref="Enqueue"/> returns
/// at once while less than <see cref="MaxQueuedBytes"/> waits; beyond that it waits until a write has made room.
/// A stream error ends the loop, and <see cref="Completion"/> says why.
/// </summary>
internal sealed class BatchingFrameWriter
{
    /// <summary>Queued bytes past which <see cref="Enqueue"/> waits for the stream.</summary>
    public const int MaxQueuedBytes = 1 << 20;

    private readonly Stream _stream;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _queued = new(0, 1);
    private ArrayBufferWriter<byte> _filling = new(64 * 1024);
    private ArrayBufferWriter<byte> _spare = new(64 * 1024);
    private TaskCompletionSource _room = NewRoom();
    private bool _signalled;
    private bool _completed;

    public BatchingFrameWriter(Stream stream, CancellationToken cancellationToken)
    {
        _stream = stream;
        Completion = Task.Run(() => WriteLoopAsync(cancellationToken), CancellationToken.None);
    }

    /// <summary>Completes when the loop ends: cancelled, <see cref="Complete"/>d, or the stream failed (faulted).</summary>
    public Task Completion { get; }

    /// <summary>Queues one frame; throws <see cref="System.Threading.Channels.ChannelClosedException"/> once the loop has ended.</summary>
    public ValueTask Enqueue(byte type, uint id, ReadOnlySpan<byte> body, CancellationToken cancellationToken)
    {
        Task room;
        lock (_lock)
        {
            if (_completed)
            {
                throw new System.Threading.Channels.ChannelClosedException("the frame writer has stopped");
            }

            var frame = _filling.GetSpan(PrivsepFrame.HeaderSize + body.Length);
            PrivsepFrame.WriteHeader(frame, type, id, body.Length);
            body.CopyTo(frame[PrivsepFrame.HeaderSize..]);
            _filling.Advance(PrivsepFrame.HeaderSize + body.Length);
            if (!_signalled)
            {
                _signalled = true;
                _queued.Release();
            }

            if (_filling.WrittenCount < MaxQueuedBytes)
            {
                return ValueTask.CompletedTask;
            }

            room = _room.Task;
        }

        return new ValueTask(room.WaitAsync(cancellationToken));
    }

    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            if (!_signalled)
            {
                _signalled = true;
                _queued.Release();
            }
        }
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _queued.WaitAsync(cancellationToken).ConfigureAwait(false);
                ArrayBufferWriter<byte> batch;
                TaskCompletionSource room;
                bool completed;
                lock (_lock)
                {
                    (batch, _filling, _spare) = (_filling, _spare, _filling);
                    (room, _room) = (_room, NewRoom());
                    _signalled = false;
                    completed = _completed;
                }

                if (batch.WrittenCount > 0)
                {
                    await _stream.WriteAsync(batch.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                // The batch may have held key material (SAs written to the kernel).
                batch.Clear();
                room.TrySetResult();
                if (completed)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_lock)
            {
                _completed = true;
                _room.TrySetException(new System.Threading.Channels.ChannelClosedException("the frame writer has stopped"));
            }
        }
    }

    private static TaskCompletionSource NewRoom() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
