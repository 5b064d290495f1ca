using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Sasync.Core.Platform;

namespace Sasync.Core.Privsep;

/// <summary>
/// A PF_KEY client whose kernel is in another process, over a stream (the simulated kernel of a
/// privilege-separated daemon): writes and promiscuous switches are answered in order, kernel
/// messages arrive in between. Dumps are not made here (they are a privileged request).
/// </summary>
/// <remarks>
/// The host answers in the order it was asked, and one <see cref="KeyStreamMessageType.Done"/> answers every
/// request up to its id, so a burst of writes costs one answer frame, and the outstanding calls are a queue
/// (oldest first) rather than a table: the cost of a write is close to that of the in-process kernel's.
/// </remarks>
internal sealed class StreamKeyEngine : IKeyEngine
{
    private const int MaxFrameLength = 1 << 20;

    private readonly Stream _stream;
    private readonly BatchingFrameWriter _writer;
    private readonly Lock _lock = new();
    private readonly Queue<(uint Id, TaskCompletionSource Done)> _pending = new();
    private readonly Channel<ReadOnlyMemory<byte>> _messages = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _readLoop;
    private CancellationToken _watched;
    private CancellationTokenRegistration _watch;
    private Exception? _closed;
    private uint _nextId;
    private KernelMessageBatchReader? _batchReader;

    public StreamKeyEngine(Stream stream, uint pid)
    {
        _stream = stream;
        Pid = pid;
        _writer = new BatchingFrameWriter(stream, _stop.Token);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public uint Pid { get; }

    public ValueTask SetPromiscuousAsync(bool enabled, CancellationToken cancellationToken) =>
        CallAsync(KeyStreamMessageType.Promiscuous, [enabled ? (byte)1 : (byte)0], cancellationToken);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        CallAsync(KeyStreamMessageType.Write, message.Span, cancellationToken);

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var message in _messages.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }
    }

    /// <summary>What the host forwarded, as it came: the messages of one read of the stream are all here by then.</summary>
    public ValueTask<bool> ReadBatchAsync(KernelMessageBatch batch, CancellationToken cancellationToken) =>
        (_batchReader ??= new KernelMessageBatchReader(ReadAllAsync(cancellationToken), cancellationToken)).ReadAsync(batch);

    public IAsyncEnumerable<KernelDumpChunk> DumpAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("dumps come from the privileged process");

    private ValueTask CallAsync(byte type, ReadOnlySpan<byte> body, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ValueTask queued;
        lock (_lock)
        {
            if (_closed is not null)
            {
                return ValueTask.FromException(_closed);
            }

            // Callers pass one token (the node's stop) for all their calls: one registration, not one per call.
            if (cancellationToken != _watched)
            {
                // Unregister, not Dispose: Dispose would wait for a callback that may be waiting for this lock.
                _watch.Unregister();
                _watched = cancellationToken;
                _watch = cancellationToken.UnsafeRegister(static state => ((StreamKeyEngine)state!).CancelPending(), this);
            }

            var id = ++_nextId;
            try
            {
                // Under the lock, so ids reach the stream in the order they are queued here.
                queued = _writer.Enqueue(type, id, body, cancellationToken);
            }
            catch (ChannelClosedException)
            {
                return ValueTask.FromException(Closed("the kernel stream is closed"));
            }

            _pending.Enqueue((id, done));
        }

        return queued.IsCompletedSuccessfully ? new ValueTask(done.Task) : AwaitRoomAsync(queued, done.Task);
    }

    private static async ValueTask AwaitRoomAsync(ValueTask queued, Task done)
    {
        try
        {
            await queued.ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw Closed("the kernel stream is closed");
        }

        await done.ConfigureAwait(false);
    }

    /// <summary>The calls up to <paramref name="id"/> are done; the one with that id failed when <paramref name="failure"/> is given.</summary>
    private void Answer(uint id, Exception? failure)
    {
        lock (_lock)
        {
            while (_pending.TryPeek(out var next) && next.Id <= id)
            {
                _pending.Dequeue();
                if (next.Id == id && failure is not null)
                {
                    next.Done.TrySetException(failure);
                }
                else
                {
                    next.Done.TrySetResult();
                }
            }
        }
    }

    private void CancelPending()
    {
        lock (_lock)
        {
            while (_pending.TryDequeue(out var next))
            {
                next.Done.TrySetCanceled(_watched);
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        var pipe = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        var reader = new PrivsepFrameReader(pipe, MaxFrameLength);
        var reason = "the kernel stream closed";
        try
        {
            while (await reader.ReadAsync(_stop.Token).ConfigureAwait(false) is { } frame)
            {
                switch (frame.Type)
                {
                    case KeyStreamMessageType.Message:
                        _messages.Writer.TryWrite(frame.Body);
                        break;
                    case KeyStreamMessageType.Done:
                        Answer(frame.Id, null);
                        break;
                    case KeyStreamMessageType.Failed when frame.Body.Length >= 4:
                        var errno = BinaryPrimitives.ReadInt32BigEndian(frame.Body.Span);
                        Answer(frame.Id, new KeyEngineException(errno, Encoding.UTF8.GetString(frame.Body.Span[4..])));
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException or OperationCanceledException)
        {
            reason = e.Message;
        }
        finally
        {
            await pipe.CompleteAsync().ConfigureAwait(false);
            _messages.Writer.TryComplete(_stop.IsCancellationRequested ? null : Closed(reason));
            lock (_lock)
            {
                _closed = Closed(reason);
                while (_pending.TryDequeue(out var next))
                {
                    next.Done.TrySetException(Closed(reason));
                }
            }
        }
    }

    private static KeyEngineException Closed(string reason) => new(OpenBsdErrno.ENXIO, reason);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _readLoop.ConfigureAwait(false);
        try
        {
            await _writer.Completion.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }

        lock (_lock)
        {
            _watch.Unregister();
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
