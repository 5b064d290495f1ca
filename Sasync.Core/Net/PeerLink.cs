using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Sasync.Core.Wire;

namespace Sasync.Core.Net;

/// <summary>
/// One TCP session with a peer: a reader that decodes frames and a writer that drains a bounded
/// queue of encoded frames, coalescing them into few writes. Neither ever blocks the node: a send
/// to a full queue fails at once and the caller drops the link.
/// </summary>
internal sealed class PeerLink : IAsyncDisposable
{
    private const int CoalesceBytes = 64 * 1024;
    private const int ReadBytes = 64 * 1024;

    // Frames are decoded into slabs of this size; a slab with less room than the reserve (the largest plaintext
    // of the original's frames) is replaced, so that a frame of the original's size always fits.
    private const int SlabBytes = 64 * 1024;
    private const int SlabReserve = 4096;

    // Messages handed to the encoder at once: the legacy codec hashes eight frames together.
    private const int EncodeBatch = 8;

    // A few spare slabs per session cover the batches the node has not handled yet in steady state.
    private readonly FrameSlabPool _slabs = new(SlabBytes, maxKept: 16);

    // Plaintexts queued to be sent are copies in slabs of their own, each frame holding a reference until it is
    // encoded: the sender may reuse its buffer as soon as TrySend returns, and queueing allocates nothing. Enough
    // are kept for the most a drained queue holds again before it drains (DrainedBytes, 1 MiB).
    private const int SendCopyMaxBytes = 4096 + 512;
    private readonly FrameSlabPool _sendSlabs = new(SlabBytes, maxKept: 24);
    private readonly Lock _sendLock = new();
    private FrameSlab? _sendSlab;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Channel<OutgoingFrame> _queue;
    private readonly long _maxQueuedBytes;
    private readonly long _drainedBytes;
    private Action? _drained;
    private readonly CancellationTokenSource _stop = new();
    private long _queuedBytes;
    private Task _reader = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;
    private int _closed;
    // Replaced by the network, under its lock, when the peer's FINISHED switched the connection to the extended channel.
    private IFrameDecoder? _decoder;

    public PeerLink(string peer, long id, Socket socket, bool outbound, IPAddress dialler, long maxQueuedBytes, long drainedBytes)
    {
        Peer = peer;
        Id = id;
        _socket = socket;
        Outbound = outbound;
        Dialler = dialler;
        Remote = (IPEndPoint)socket.RemoteEndPoint!;
        _maxQueuedBytes = maxQueuedBytes;
        _drainedBytes = drainedBytes;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _queue = Channel.CreateUnbounded<OutgoingFrame>(new UnboundedChannelOptions { SingleReader = true });
    }

    public string Peer { get; }

    public long Id { get; }

    public bool Outbound { get; }

    /// <summary>The address of the side that opened the connection.</summary>
    public IPAddress Dialler { get; }

    public IPEndPoint Remote { get; }

    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>
    /// Starts the loops. <paramref name="received"/> gets the frames one read completed, in order;
    /// <paramref name="closed"/> runs when a loop ends, with the decoder's error when a bad frame ended it.
    /// </summary>
    /// The frames' plaintexts may live in <c>slab</c>: an owner that keeps them after its task completes takes a reference
    /// (<see cref="FrameSlab.AddReference"/>) and releases it once done with them.
    public void Start(IFrameCodecFactory codecs, Func<PeerLink, List<ReceivedFrame>, FrameSlab, ValueTask> received, Action<PeerLink, string, FrameError?> closed)
    {
        Volatile.Write(ref _decoder, codecs.CreateDecoder());
        var encoder = codecs.CreateEncoder();
        _reader = Task.Run(() => ReadLoopAsync(received, closed));
        _writer = Task.Run(() => WriteLoopAsync(encoder, closed));
    }

    /// <summary>
    /// Queues a copy of one message to be framed and written; false when the queue is over its byte budget or
    /// the link is closing. The caller's plaintext buffer is free again once this returns.
    /// </summary>
    public bool TrySend(OutgoingFrame frame)
    {
        if (Volatile.Read(ref _closed) != 0)
        {
            return false;
        }

        if (Interlocked.Add(ref _queuedBytes, frame.Cost) > _maxQueuedBytes)
        {
            Interlocked.Add(ref _queuedBytes, -frame.Cost);
            return false;
        }

        bool queued;
        lock (_sendLock)
        {
            // Copied and queued under one lock, so that frames keep the order of the calls.
            var copy = Copy(frame);
            queued = _queue.Writer.TryWrite(copy);
            if (!queued)
            {
                copy.Slab?.Release();
            }
        }

        if (!queued)
        {
            Interlocked.Add(ref _queuedBytes, -frame.Cost);
        }

        return queued;
    }

    // The frame with its plaintext in the current send slab (one reference more), or in an array of its own when long.
    private OutgoingFrame Copy(OutgoingFrame frame)
    {
        var length = frame.Plaintext.Length;
        if (length == 0)
        {
            return frame;
        }

        if (length > SendCopyMaxBytes)
        {
            return frame with { Plaintext = frame.Plaintext.ToArray() };
        }

        var slab = _sendSlab;
        if (slab is null || slab.Buffer.Length - slab.Used < length)
        {
            slab?.Release(); // the link's own reference: the slab goes back once its queued frames are encoded
            _sendSlab = slab = _sendSlabs.Rent();
        }

        var room = slab.Buffer.AsMemory(slab.Used, length);
        frame.Plaintext.CopyTo(room);
        slab.Used += length;
        slab.AddReference();
        return frame with { Plaintext = room, Slab = slab };
    }

    /// <summary>
    /// Runs <paramref name="drained"/> once, when few enough bytes are queued (at once if that is
    /// already so) or when the link closes. A newer request replaces one not yet run.
    /// </summary>
    public void NotifyWhenDrained(Action drained)
    {
        Volatile.Write(ref _drained, drained);
        if (QueuedBytes <= _drainedBytes || Volatile.Read(ref _closed) != 0)
        {
            FireDrained();
        }
    }

    private void FireDrained() => Interlocked.Exchange(ref _drained, null)?.Invoke();

    /// <summary>
    /// Reads the rest of the stream with <paramref name="decoder"/>. Called while the read loop waits for
    /// the frames that contained the peer's FINISHED, so the switch falls exactly after it.
    /// </summary>
    public void UseDecoder(IFrameDecoder decoder) => Volatile.Write(ref _decoder, decoder);

    /// <summary>Writes every frame queued after this call with <paramref name="encoder"/>; those queued before keep the old one.</summary>
    public bool UseEncoderFromHere(IFrameEncoder encoder) => TrySend(new OutgoingFrame(default, ReadOnlyMemory<byte>.Empty, encoder));

    private async Task ReadLoopAsync(Func<PeerLink, List<ReceivedFrame>, FrameSlab, ValueTask> received, Action<PeerLink, string, FrameError?> closed)
    {
        var reason = "connection closed by peer";
        FrameError? badFrame = null;
        // Reads of up to 64 KiB: with the default 4 KiB a relay burst took a receive, a wake-up and a batch for the
        // node per 17 frames or so (6 600 receives for 100 000 relayed messages).
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: ReadBytes, minimumReadSize: ReadBytes / 4, leaveOpen: true));
        var slab = _slabs.Rent();
        // Reused from batch to batch: the owner copies what it keeps before its callback's task completes.
        var frames = new List<ReceivedFrame>();
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                // What one read completed goes to the owner in one event (bounded by the pipe's buffer), or
                // in one per slab when it fills a slab.
                while (true)
                {
                    var stretch = Hosting.DaemonAllocationMeter.Begin();
                    var status = FrameDecodeStatus.Frame;
                    var slabFull = false;
                    var handOver = false;
                    while (status == FrameDecodeStatus.Frame)
                    {
                        if (slab.Buffer.Length - slab.Used < SlabReserve)
                        {
                            slabFull = true;
                            break;
                        }

                        // Several frames at a time where the decoder can (the legacy codec hashes them together);
                        // it stops after a control frame, so a FINISHED is the last of them.
                        status = Volatile.Read(ref _decoder)!.TryDecode(ref buffer, slab.Free, frames, out var used, out var error);
                        if (status == FrameDecodeStatus.Frame)
                        {
                            slab.Used += used;
                            var last = frames[^1];
                            if (last.Type == WireMessageType.Control && FinishedMessage.IsFinished(last.Plaintext.Span))
                            {
                                // The peer's FINISHED may switch the decoder: hand it over before reading on.
                                handOver = true;
                                break;
                            }
                        }
                        else if (status == FrameDecodeStatus.Fatal)
                        {
                            reason = $"bad frame: {error.Describe()}";
                            badFrame = error;
                        }
                    }

                    if (frames.Count > 0)
                    {
                        var delivered = received(this, frames, slab);
                        stretch.End();
                        await delivered.ConfigureAwait(false);
                        frames.Clear();
                    }
                    else
                    {
                        stretch.End();
                    }

                    if (status == FrameDecodeStatus.Fatal)
                    {
                        return;
                    }

                    if (handOver)
                    {
                        // The rest of what was read is decoded with the decoder the FINISHED may have switched to.
                        continue;
                    }

                    if (!slabFull)
                    {
                        break;
                    }

                    // The batches handed over keep the full slab until the node has handled them.
                    slab.Release();
                    slab = _slabs.Rent();
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            reason = "closed";
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            reason = e.Message;
        }
        finally
        {
            slab.Release();
            await reader.CompleteAsync().ConfigureAwait(false);
            closed(this, reason, badFrame);
            // Likewise the decoder's key (the network no longer swaps it once the connection is closed).
            (Volatile.Read(ref _decoder) as IDisposable)?.Dispose();
        }
    }

    // Frames are encrypted here, on the session's own thread, so that the node's loop only queues them.
    private async Task WriteLoopAsync(IFrameEncoder encoder, Action<PeerLink, string, FrameError?> closed)
    {
        var batch = new ArrayBufferWriter<byte>(CoalesceBytes);
        // Messages are framed eight at a time, which the legacy codec hashes and encrypts together.
        var types = new WireMessageType[EncodeBatch];
        var plaintexts = new ReadOnlyMemory<byte>[EncodeBatch];
        var slabs = new FrameSlab?[EncodeBatch];
        bool Encode(IFrameEncoder with, WireMessageType[] types, ReadOnlyMemory<byte>[] plaintexts, FrameSlab?[] slabs, ref int pending, ArrayBufferWriter<byte> batch)
        {
            if (pending == 0)
            {
                return true;
            }

            var ok = with.TryEncode(types.AsSpan(0, pending), plaintexts.AsSpan(0, pending), batch, out var error);
            Array.Clear(plaintexts, 0, pending);
            // The plaintexts are framed (or dropped with the link): the slabs holding them can be reused.
            foreach (var slab in slabs.AsSpan(0, pending))
            {
                slab?.Release();
            }

            Array.Clear(slabs, 0, pending);
            pending = 0;
            if (!ok)
            {
                closed(this, $"cannot frame a message: {error}", null);
            }

            return ok;
        }

        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                batch.ResetWrittenCount();
                long cost = 0;
                var stretch = Hosting.DaemonAllocationMeter.Begin();
                var pending = 0;
                while (batch.WrittenCount < CoalesceBytes && _queue.Reader.TryRead(out var frame))
                {
                    cost += frame.Cost;
                    if (frame.NextEncoder is { } next)
                    {
                        // What was queued before the switch is framed with the old encoder.
                        if (!Encode(encoder, types, plaintexts, slabs, ref pending, batch))
                        {
                            return;
                        }

                        encoder = next;
                        continue;
                    }

                    types[pending] = frame.Type;
                    slabs[pending] = frame.Slab;
                    plaintexts[pending++] = frame.Plaintext;
                    if (pending == types.Length && !Encode(encoder, types, plaintexts, slabs, ref pending, batch))
                    {
                        return;
                    }
                }

                if (!Encode(encoder, types, plaintexts, slabs, ref pending, batch))
                {
                    return;
                }

                stretch.End();

                if (batch.WrittenCount > 0)
                {
                    await _stream.WriteAsync(batch.WrittenMemory, _stop.Token).ConfigureAwait(false);
                }
                if (Interlocked.Add(ref _queuedBytes, -cost) <= _drainedBytes && Volatile.Read(ref _drained) is not null)
                {
                    FireDrained();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            closed(this, e.Message, null);
        }
        finally
        {
            // An extended channel's encoder holds the session's traffic key: wipe it with the session.
            (encoder as IDisposable)?.Dispose();
        }
    }

    /// <summary>Stops both loops and closes the socket; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        await Task.WhenAll(_reader, _writer).ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        FireDrained();
    }
}

/// <summary>
/// A message waiting to be framed for a peer; or, with <paramref name="NextEncoder"/>, no message but the
/// point in the queue from which frames are written with that encoder. A queued plaintext is the link's copy, in
/// <paramref name="Slab"/> when it holds a reference to one until the frame is encoded.
/// </summary>
internal readonly record struct OutgoingFrame(Wire.WireMessageType Type, ReadOnlyMemory<byte> Plaintext, IFrameEncoder? NextEncoder = null, FrameSlab? Slab = null)
{
    // What it will take on the wire, roughly: the 48-byte frame header and up to 15 pad bytes.
    public long Cost => Plaintext.Length + 64;
}
