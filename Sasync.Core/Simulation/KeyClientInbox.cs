using System.Buffers.Binary;

namespace Sasync.Core.Simulation;

/// <summary>
/// The receive queue of one simulated PF_KEY socket: the messages' bytes back to back in 64 KiB segments, as a
/// socket buffer holds them. Queueing copies a message in and allocates nothing while a segment has room (the
/// kernel hands in its scratch buffers, so it needs no array per message); a burst takes more segments, each let
/// go once read (a few kept for the next burst), so the queue holds about what is unread, never a copy of it, and
/// nothing on the large-object heap.
/// Bounded by a message count; what does not fit is refused. Thread-safe.
/// </summary>
internal sealed class KeyClientInbox(int capacity)
{
    private const int SegmentSize = 64 * 1024;
    private const int Prefix = 8; // each message's length, keeping the messages 8-byte aligned

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private Segment? _first; // read from here
    private Segment? _last; // written here
    // Segments read empty, kept (up to MaxSpares, 1 MiB) so that a reader a burst or two behind makes no new ones.
    private const int MaxSpares = 16;
    private readonly Stack<Segment> _spares = new();
    private int _count;
    private bool _readerWaiting;
    private bool _completed;

    /// <summary>Queues a copy of <paramref name="message"/>; false when the queue is full or completed.</summary>
    public bool TryWrite(ReadOnlySpan<byte> message)
    {
        bool wake;
        lock (_lock)
        {
            if (_completed || _count >= capacity)
            {
                return false;
            }

            var needed = Prefix + Pad(message.Length);
            if (_last is null || _last.End + needed > _last.Bytes.Length)
            {
                Append(needed);
            }

            var last = _last!;
            BinaryPrimitives.WriteInt32LittleEndian(last.Bytes.AsSpan(last.End), message.Length);
            message.CopyTo(last.Bytes.AsSpan(last.End + Prefix));
            last.End += needed;
            _count++;
            wake = _readerWaiting;
            _readerWaiting = false;
        }

        if (wake)
        {
            _arrived.Release();
        }

        return true;
    }

    /// <summary>
    /// Takes the oldest message into <paramref name="destination"/>. False when none is queued
    /// (<paramref name="length"/> 0) or when it does not fit (<paramref name="length"/> its length; it stays queued).
    /// </summary>
    public bool TryRead(Span<byte> destination, out int length)
    {
        lock (_lock)
        {
            length = 0;
            if (_count == 0)
            {
                return false;
            }

            var first = _first!;
            length = BinaryPrimitives.ReadInt32LittleEndian(first.Bytes.AsSpan(first.Start));
            if (length > destination.Length)
            {
                return false;
            }

            first.Bytes.AsSpan(first.Start + Prefix, length).CopyTo(destination);
            Dequeued(length);
            return true;
        }
    }

    /// <summary>Moves the oldest messages into <paramref name="batch"/>, as many as are queued and fit; how many it took.</summary>
    public int TryReadBatch(Platform.KernelMessageBatch batch)
    {
        lock (_lock)
        {
            var taken = 0;
            while (_count > 0)
            {
                var first = _first!;
                var length = BinaryPrimitives.ReadInt32LittleEndian(first.Bytes.AsSpan(first.Start));
                if (!batch.HasRoomFor(length))
                {
                    break;
                }

                first.Bytes.AsSpan(first.Start + Prefix, length).CopyTo(batch.Reserve(length).Span);
                Dequeued(length);
                taken++;
            }

            return taken;
        }
    }

    /// <summary>Takes the oldest message as an array of its own; false when none is queued.</summary>
    public bool TryRead(out byte[] message)
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                message = [];
                return false;
            }

            var first = _first!;
            var length = BinaryPrimitives.ReadInt32LittleEndian(first.Bytes.AsSpan(first.Start));
            message = first.Bytes.AsSpan(first.Start + Prefix, length).ToArray();
            Dequeued(length);
            return true;
        }
    }

    /// <summary>Waits until a message is queued (true) or the inbox is completed and read empty (false).</summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_count > 0)
                {
                    return true;
                }

                if (_completed)
                {
                    return false;
                }

                _readerWaiting = true;
            }

            await _arrived.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>No more messages: readers get the queued ones, then the end.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
        }

        _arrived.Release();
    }

    private static int Pad(int length) => (length + 7) & ~7;

    // A new last segment for a message of needed bytes: the spare when it is big enough, else a new one.
    private void Append(int needed)
    {
        if (_count == 0 && _last is not null)
        {
            // Nothing unread: the empty segment leaves too, so that reading starts in the new one.
            Spare(_last);
            (_first, _last) = (null, null);
        }

        var segment = needed <= SegmentSize && _spares.TryPop(out var spare)
            ? spare
            : new Segment(new byte[Math.Max(SegmentSize, needed)]);

        if (_last is null)
        {
            _first = segment;
        }
        else
        {
            _last.Next = segment;
        }

        _last = segment;
    }

    private void Dequeued(int length)
    {
        var first = _first!;
        first.Start += Prefix + Pad(length);
        _count--;
        if (first.Start < first.End)
        {
            return;
        }

        // Read empty: the last segment starts over, an earlier one leaves the queue (kept as the spare when it is a plain one).
        if (first == _last)
        {
            (first.Start, first.End) = (0, 0);
            return;
        }

        _first = first.Next;
        Spare(first);
    }

    // Keeps an empty plain segment for later, while few are kept.
    private void Spare(Segment segment)
    {
        (segment.Start, segment.End, segment.Next) = (0, 0, null);
        if (segment.Bytes.Length == SegmentSize && _spares.Count < MaxSpares)
        {
            _spares.Push(segment);
        }
    }

    private sealed class Segment(byte[] bytes)
    {
        public byte[] Bytes { get; } = bytes;

        public int Start { get; set; }

        public int End { get; set; }

        public Segment? Next { get; set; }
    }
}
