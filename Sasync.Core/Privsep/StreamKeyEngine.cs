using System.Buffers.Binary;
using System.Collections.Concurrent;
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
internal sealed class StreamKeyEngine : IKeyEngine
{
    private const int MaxFrameLength = 1 << 20;

    private readonly Stream _stream;
    private readonly BatchingFrameWriter _writer;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource> _pending = new();
    private readonly Channel<ReadOnlyMemory<byte>> _messages = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _readLoop;
    private int _nextId;

    public StreamKeyEngine(Stream stream, uint pid)
    {
        _stream = stream;
        Pid = pid;
        _writer = new BatchingFrameWriter(stream, _stop.Token);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public uint Pid { get; }

    public ValueTask SetPromiscuousAsync(bool enabled, CancellationToken cancellationToken) =>
        CallAsync(KeyStreamMessageType.Promiscuous, new[] { enabled ? (byte)1 : (byte)0 }, cancellationToken);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        CallAsync(KeyStreamMessageType.Write, message, cancellationToken);

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var message in _messages.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }
    }

    public ValueTask<KernelDump> DumpAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("dumps come from the privileged process");

    private async ValueTask CallAsync(byte type, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var id = (uint)Interlocked.Increment(ref _nextId);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = done;
        try
        {
            if (_readLoop.IsCompleted)
            {
                throw new KeyEngineException(OpenBsdErrno.ENXIO, "the kernel stream is closed");
            }

            try
            {
                await _writer.Enqueue(type, id, body.Span, cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                throw new KeyEngineException(OpenBsdErrno.ENXIO, "the kernel stream is closed");
            }

            await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReadLoopAsync()
    {
        var pipe = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
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
                    case KeyStreamMessageType.Done when _pending.TryGetValue(frame.Id, out var done):
                        done.TrySetResult();
                        break;
                    case KeyStreamMessageType.Failed when _pending.TryGetValue(frame.Id, out var failed) && frame.Body.Length >= 4:
                        var errno = BinaryPrimitives.ReadInt32BigEndian(frame.Body.Span);
                        failed.TrySetException(new KeyEngineException(errno, Encoding.UTF8.GetString(frame.Body.Span[4..])));
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
            _messages.Writer.TryComplete(_stop.IsCancellationRequested ? null : new KeyEngineException(OpenBsdErrno.ENXIO, reason));
            foreach (var (_, pending) in _pending)
            {
                pending.TrySetException(new KeyEngineException(OpenBsdErrno.ENXIO, reason));
            }
        }
    }

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

        await _stream.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
