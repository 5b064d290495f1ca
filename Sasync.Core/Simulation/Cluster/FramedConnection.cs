using System.Buffers;
using Sasync.Core.Net;
using Sasync.Core.Wire;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// One connection of a sasyncd-cs node over the in-memory network, with the real frame codec: a
/// reader that decodes what arrived into frames and a writer that frames a bounded queue into the
/// socket as the window allows. Both run as items of the owning process.
/// </summary>
internal sealed class FramedConnection
{
    // Frames written to the socket in one go, at most.
    private const int CoalesceBytes = 16 * 1024;

    private readonly SimulatedProcess _process;
    // A null type marks the point from which the queue is written with NextEncoder.
    private readonly Queue<(WireMessageType Type, ReadOnlyMemory<byte> Plaintext, IFrameEncoder? NextEncoder)> _queue = new();
    private readonly ByteQueue _received = new();
    private readonly ArrayBufferWriter<byte> _batch = new(CoalesceBytes + 4200);
    private readonly long _maxQueuedBytes;
    private readonly long _drainedBytes;
    private IFrameEncoder? _encoder;
    private IFrameDecoder? _decoder;
    private Action<FramedConnection, List<ReceivedFrame>>? _frames;
    private Action<FramedConnection, string>? _closed;
    private Action? _drained;
    private bool _readPosted;
    private bool _writePosted;

    public FramedConnection(SimulatedProcess process, long id, SimulatedSocket socket, long maxQueuedBytes, long drainedBytes)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _process = process;
        Id = id;
        Socket = socket;
        _maxQueuedBytes = maxQueuedBytes;
        _drainedBytes = drainedBytes;
    }

    public long Id { get; }

    public SimulatedSocket Socket { get; }

    public long QueuedBytes { get; private set; }

    public long FramesReceived { get; private set; }

    public long FramesSent { get; private set; }

    public bool IsShut { get; private set; }

    /// <summary>
    /// Starts reading and writing; <paramref name="closed"/> runs once, when the connection fails or ends.
    /// <paramref name="wakeWriter"/> false: the writer first runs on a send, as in the legacy shell, whose
    /// timing (one process item fewer) the simulation's seeds depend on.
    /// </summary>
    public void Start(IFrameCodecFactory codecs, Action<FramedConnection, List<ReceivedFrame>> frames, Action<FramedConnection, string> closed, bool wakeWriter = true)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        _encoder = codecs.CreateEncoder();
        _decoder = codecs.CreateDecoder();
        _frames = frames;
        _closed = closed;
        Socket.Readable = PostRead;
        Socket.Writable = PostWrite;
        PostRead();
        if (wakeWriter)
        {
            PostWrite();
        }
    }

    /// <summary>Queues a message; false when the queue would go over its budget or the connection is shut.</summary>
    public bool TrySend(WireMessageType type, ReadOnlyMemory<byte> plaintext)
    {
        var cost = plaintext.Length + 64L;
        if (IsShut || QueuedBytes + cost > _maxQueuedBytes)
        {
            return false;
        }

        QueuedBytes += cost;
        _queue.Enqueue((type, plaintext, null));
        if (_encoder is not null)
        {
            PostWrite();
        }

        return true;
    }

    /// <summary>Writes every frame queued after this call with <paramref name="encoder"/>; those queued before keep the old one.</summary>
    public void UseEncoderFromHere(IFrameEncoder encoder)
    {
        if (!IsShut)
        {
            _queue.Enqueue((default, ReadOnlyMemory<byte>.Empty, encoder));
            QueuedBytes += 64;
        }
    }

    /// <summary>Reads what follows the frame just handed over (the peer's FINISHED) with <paramref name="decoder"/>.</summary>
    public void UseDecoder(IFrameDecoder decoder) => _decoder = decoder;

    /// <summary>Runs <paramref name="drained"/> once few bytes are queued, or the connection is shut; a newer request replaces an older one.</summary>
    public void NotifyWhenDrained(Action drained)
    {
        _drained = drained;
        if (QueuedBytes <= _drainedBytes || IsShut)
        {
            FireDrained();
        }
    }

    /// <summary>Closes the connection (<paramref name="graceful"/>: FIN, else RST) without reporting it.</summary>
    public void Shut(bool graceful)
    {
        if (IsShut)
        {
            return;
        }

        IsShut = true;
        _queue.Clear();
        if (graceful)
        {
            Socket.Close();
        }
        else
        {
            Socket.Abort();
        }

        FireDrained();
    }

    private void FireDrained()
    {
        var drained = _drained;
        _drained = null;
        drained?.Invoke();
    }

    private void PostRead()
    {
        if (!_readPosted)
        {
            _readPosted = true;
            _process.Post(Read);
        }
    }

    private void PostWrite()
    {
        if (!_writePosted)
        {
            _writePosted = true;
            _process.Post(Write);
        }
    }

    private void Fail(string reason)
    {
        if (IsShut)
        {
            return;
        }

        Shut(graceful: true);
        _closed?.Invoke(this, reason);
    }

    private void Read()
    {
        _readPosted = false;
        if (IsShut)
        {
            return;
        }

        Socket.ReadAll(_received);
        List<ReceivedFrame>? frames = null;
        string? failure = null;
        var buffer = new ReadOnlySequence<byte>(_received.Memory);
        var before = buffer.Length;
        while (true)
        {
            var status = _decoder!.TryDecode(ref buffer, out var type, out var plaintext, out var error);
            if (status == FrameDecodeStatus.Frame)
            {
                (frames ??= []).Add(new ReceivedFrame(type, plaintext));
                if (type == WireMessageType.Control && FinishedMessage.IsFinished(plaintext))
                {
                    // The peer's FINISHED may switch the decoder: hand it over before decoding on.
                    FramesReceived += frames.Count;
                    _frames!(this, frames);
                    frames = null;
                    if (IsShut)
                    {
                        return;
                    }
                }

                continue;
            }

            if (status == FrameDecodeStatus.Fatal)
            {
                failure = $"bad frame: {error}";
            }

            break;
        }

        _received.Consume((int)(before - buffer.Length));
        if (frames is not null)
        {
            FramesReceived += frames.Count;
            _frames!(this, frames);
        }

        failure ??= Socket.Error ?? (Socket.AtEnd ? "connection closed by peer" : null);
        if (failure is not null)
        {
            Fail(failure);
        }
    }

    private void Write()
    {
        _writePosted = false;
        while (!IsShut && _queue.Count > 0 && Socket.Space > 0)
        {
            _batch.ResetWrittenCount();
            long cost = 0;
            while (_batch.WrittenCount < CoalesceBytes && _queue.TryDequeue(out var frame))
            {
                cost += frame.Plaintext.Length + 64L;
                if (frame.NextEncoder is { } next)
                {
                    _encoder = next;
                    continue;
                }

                if (!_encoder!.TryEncode(frame.Type, frame.Plaintext.Span, _batch, out var error))
                {
                    Fail($"cannot frame a message: {error}");
                    return;
                }

                FramesSent++;
            }

            if (_batch.WrittenCount > 0 && !Socket.Write(_batch.WrittenSpan.ToArray()))
            {
                Fail(Socket.Error ?? "connection closed");
                return;
            }

            QueuedBytes -= cost;
            if (QueuedBytes <= _drainedBytes && _drained is not null)
            {
                FireDrained();
            }
        }
    }
}
