using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Sasync.Core.Platform;
using Sasync.Core.Sync;

namespace Sasync.Core.Privsep;

/// <summary>
/// The network process's end of the channel: sends requests, matches the replies by id, and
/// keeps the carp link state the privileged process reports. <see cref="Closed"/> completes the
/// moment the channel ends, which means the privileged process is gone.
/// </summary>
internal sealed class PrivsepClient : IAsyncDisposable
{
    /// <summary>The largest reply read: a <c>sim.*</c> answer listing a big simulated kernel, with room to spare (dumps come in chunks).</summary>
    public const int MaxReplyLength = 1 << 30;

    private readonly Stream _channel;
    private readonly PrivsepFrameWriter _writer;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<PrivsepFrame>> _pending = new();
    // The frames of each dump under way, in order (at most the privileged side's window of chunks ahead).
    private readonly ConcurrentDictionary<uint, Channel<PrivsepFrame>> _dumps = new();
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<LinkState> _firstCarp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<LinkState> _carpChanges = Channel.CreateBounded<LinkState>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly CancellationTokenSource _stop = new();
    private Task _readLoop = Task.CompletedTask;
    private int _nextId;
    private int _latestCarp;

    public PrivsepClient(Stream channel)
    {
        _channel = channel;
        _writer = new PrivsepFrameWriter(channel);
    }

    /// <summary>Completes with the reason when the channel ends.</summary>
    public Task<string> Closed => _closed.Task;

    public void Start() => _readLoop = Task.Run(ReadLoopAsync);

    /// <summary>
    /// The kernel's dump from the privileged process, chunk by chunk as it sends them: each chunk released
    /// (cleared, it holds keys) gives it the credit for one more, so no more than its window is ever here.
    /// </summary>
    public async IAsyncEnumerable<KernelDumpChunk> DumpKernelAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = (uint)Interlocked.Increment(ref _nextId);
        var frames = Channel.CreateUnbounded<PrivsepFrame>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _dumps[id] = frames;
        try
        {
            if (_closed.Task.IsCompleted)
            {
                throw new IOException($"the privileged process is gone: {_closed.Task.Result}");
            }

            await _writer.WriteAsync(PrivsepMessageType.DumpKernel, id, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var frame = await frames.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                switch (frame.Type)
                {
                    case PrivsepMessageType.Dump:
                        yield break;
                    case PrivsepMessageType.Failed:
                        throw new PrivsepException(Encoding.UTF8.GetString(frame.Body.Span));
                    case PrivsepMessageType.DumpChunk:
                        yield return PrivsepReplyCodec.ParseDumpChunk(frame.Body, () => Credit(id, frame.Body));
                        break;
                    default:
                        throw new InvalidDataException($"reply type {frame.Type} to a dump request");
                }
            }
        }
        finally
        {
            _dumps.TryRemove(id, out _);
        }
    }

    private void Credit(uint id, ReadOnlyMemory<byte> body)
    {
        if (MemoryMarshal.TryGetArray(body, out var segment))
        {
            segment.AsSpan().Clear();
        }

        if (_dumps.ContainsKey(id) && !_closed.Task.IsCompleted)
        {
            _ = SendCreditAsync(id);
        }
    }

    private async Task SendCreditAsync(uint id)
    {
        try
        {
            await _writer.WriteAsync(PrivsepMessageType.DumpCredit, id, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // the channel is gone: the dump fails on its own
        }
    }

    public async ValueTask AdjustDemotionAsync(bool up, CancellationToken cancellationToken) =>
        await CallAsync(up ? PrivsepMessageType.Demote : PrivsepMessageType.Undemote, default, PrivsepMessageType.Done, cancellationToken).ConfigureAwait(false);

    public async ValueTask<int> ReadDemotionAsync(CancellationToken cancellationToken)
    {
        var reply = await CallAsync(PrivsepMessageType.ReadDemotion, default, PrivsepMessageType.Counter, cancellationToken).ConfigureAwait(false);
        return reply.Body.Length == 4
            ? BinaryPrimitives.ReadInt32BigEndian(reply.Body.Span)
            : throw new InvalidDataException($"a counter reply is 4 bytes, got {reply.Body.Length}");
    }

    public async ValueTask SetDaemonActiveAsync(DaemonKind daemon, bool active, CancellationToken cancellationToken)
    {
        var body = PrivsepRequestCodec.Encode(new ControlDaemonRequest(0, daemon, active)).AsMemory(PrivsepFrame.HeaderSize);
        await CallAsync(PrivsepMessageType.ControlDaemon, body, PrivsepMessageType.Done, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ReadOnlyMemory<byte>> ReadConfigAsync(CancellationToken cancellationToken) =>
        (await CallAsync(PrivsepMessageType.ReadConfig, default, PrivsepMessageType.Bytes, cancellationToken).ConfigureAwait(false)).Body;

    /// <summary>Runs a <c>sim.*</c> control command (its JSON request line); returns its result's JSON.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> SimulateAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        (await CallAsync(PrivsepMessageType.Simulation, json, PrivsepMessageType.Bytes, cancellationToken).ConfigureAwait(false)).Body;

    /// <summary>The carp link state: the first report of the privileged process.</summary>
    public Task<LinkState> FirstCarpStateAsync(CancellationToken cancellationToken) => _firstCarp.Task.WaitAsync(cancellationToken);

    /// <summary>The carp link state the privileged process reported last (after the first report).</summary>
    public async Task<LinkState> CurrentCarpStateAsync(CancellationToken cancellationToken)
    {
        await _firstCarp.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return (LinkState)Volatile.Read(ref _latestCarp);
    }

    /// <summary>Every later change of the carp link state.</summary>
    public IAsyncEnumerable<LinkState> CarpChangesAsync(CancellationToken cancellationToken) => _carpChanges.Reader.ReadAllAsync(cancellationToken);

    private async Task<PrivsepFrame> CallAsync(byte type, ReadOnlyMemory<byte> body, byte expected, CancellationToken cancellationToken)
    {
        var id = (uint)Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<PrivsepFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            if (_closed.Task.IsCompleted)
            {
                throw new IOException($"the privileged process is gone: {_closed.Task.Result}");
            }

            await _writer.WriteAsync(type, id, cancellationToken, body).ConfigureAwait(false);
            var reply = await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (reply.Type == PrivsepMessageType.Failed)
            {
                throw new PrivsepException(Encoding.UTF8.GetString(reply.Body.Span));
            }

            return reply.Type == expected ? reply : throw new InvalidDataException($"reply type {reply.Type} to request type {type}, expected {expected}");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReadLoopAsync()
    {
        var pipe = PipeReader.Create(_channel, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        var reader = new PrivsepFrameReader(pipe, MaxReplyLength);
        var reason = "the privileged process closed the channel";
        try
        {
            while (await reader.ReadAsync(_stop.Token).ConfigureAwait(false) is { } frame)
            {
                if (frame.Type == PrivsepMessageType.CarpLink && frame.Body.Length == 1)
                {
                    var state = (LinkState)frame.Body.Span[0];
                    Volatile.Write(ref _latestCarp, (int)state);
                    if (!_firstCarp.TrySetResult(state))
                    {
                        _carpChanges.Writer.TryWrite(state);
                    }
                }
                else if (_dumps.TryGetValue(frame.Id, out var dump))
                {
                    dump.Writer.TryWrite(frame);
                }
                else if (_pending.TryGetValue(frame.Id, out var answer))
                {
                    answer.TrySetResult(frame);
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException or OperationCanceledException)
        {
            reason = _stop.IsCancellationRequested ? "closed" : e.Message;
        }
        finally
        {
            await pipe.CompleteAsync().ConfigureAwait(false);
            _closed.TrySetResult(reason);
            _carpChanges.Writer.TryComplete();
            _firstCarp.TrySetException(new IOException(reason));
            foreach (var (_, dump) in _dumps)
            {
                dump.Writer.TryComplete(new IOException($"the privileged process is gone: {reason}"));
            }

            foreach (var (_, answer) in _pending)
            {
                answer.TrySetException(new IOException($"the privileged process is gone: {reason}"));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _readLoop.ConfigureAwait(false);
        _writer.Dispose();
        _stop.Dispose();
    }
}

/// <summary>The privileged process refused or failed a request; the message says why.</summary>
internal sealed class PrivsepException : Exception
{
    public PrivsepException() { }

    public PrivsepException(string message) : base(message) { }

    public PrivsepException(string message, Exception innerException) : base(message, innerException) { }
}
