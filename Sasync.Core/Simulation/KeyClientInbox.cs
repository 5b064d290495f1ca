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
/// <remarks>
/// The writing side (the kernel) and the reading side (the socket's reader) share no lock: a writer only appends
/// behind the last segment's end and a reader only moves the first segment's start, so neither waits for the
/// other. With one lock for both, the kernel waited (and woke a parked thread on leaving) while a reader copied a
/// burst out: 5 % of the relay phase's CPU in a perf profile. Writers take one lock among themselves, readers
/// another; the count of queued messages, changed with full fences, publishes what a writer appended.
/// </remarks>
internal sealed class KeyClientInbox(int capacity)
{
    private const int SegmentSize = 64 * 1024;
    private const int Prefix = 8; // each message's length, keeping the messages 8-byte aligned

    // Segments read empty, kept (up to MaxSpares, 1 MiB) so that a reader a burst or two behind makes no new ones.
    private const int MaxSpares = 16;

    private readonly Lock _writeLock = new();
    private readonly Lock _readLock = new();
    private readonly Lock _sparesLock = new(); // taken once per segment, by either side
    private readonly Stack<Segment> _spares = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private Segment? _first; // the reader's: read from here (set by the writer only before the first message)
    private Segment? _last; // the writer's: written here
    private int _count; // queued and not yet read
    private int _readerWaiting; // 1 while a reader is about to wait or waits for a message
    private volatile bool _completed;

    /// <summary>Queues a copy of <paramref name="message"/> and wakes a waiting reader; false when the queue is full or completed.</summary>
    public bool TryWrite(ReadOnlySpan<byte> message) => TryWrite(message, wakeNow: true, out _);

    /// <summary>
    /// Queues a copy of <paramref name="message"/>; false when the queue is full or completed. A waiting reader is woken
    /// now, or, unless <paramref name="wakeNow"/>, left to a later <see cref="WakeReader"/>: then
    /// <paramref name="readerWaits"/> says whether one is owed.
    /// </summary>
    public bool TryWrite(ReadOnlySpan<byte> message, bool wakeNow, out bool readerWaits)
    {
        readerWaits = false;
        lock (_writeLock)
        {
            if (_completed || Volatile.Read(ref _count) >= capacity)
            {
                return false;
            }

            var needed = Prefix + Pad(message.Length);
            var last = _last;
            var target = last is null || last.End + needed > last.Bytes.Length ? TakeSegment(needed) : last;
            var end = target.End;
            BinaryPrimitives.WriteInt32LittleEndian(target.Bytes.AsSpan(end), message.Length);
            message.CopyTo(target.Bytes.AsSpan(end + Prefix));
            Volatile.Write(ref target.End, end + needed);
            if (target != last)
            {
                // The bytes are in place before a reader can reach the segment.
                if (last is null)
                {
                    Volatile.Write(ref _first, target);
                }
                else
                {
                    Volatile.Write(ref last.Next, target);
                }

                _last = target;
            }

            // Publishes the message; a full fence, so the reader's flag below is read after it (see WaitToReadAsync).
            Interlocked.Increment(ref _count);
        }

        if (wakeNow)
        {
            WakeReader();
        }
        else
        {
            readerWaits = Volatile.Read(ref _readerWaiting) != 0;
        }

        return true;
    }

    /// <summary>Wakes the reader if it waits (or is about to) for a message queued before this call.</summary>
    public void WakeReader()
    {
        if (Volatile.Read(ref _readerWaiting) != 0 && Interlocked.Exchange(ref _readerWaiting, 0) != 0)
        {
            _arrived.Release();
        }
    }

    /// <summary>
    /// Takes the oldest message into <paramref name="destination"/>. False when none is queued
    /// (<paramref name="length"/> 0) or when it does not fit (<paramref name="length"/> its length; it stays queued).
    /// </summary>
    public bool TryRead(Span<byte> destination, out int length)
    {
        lock (_readLock)
        {
            length = 0;
            if (!TryPeek(out var first))
            {
                return false;
            }

            length = BinaryPrimitives.ReadInt32LittleEndian(first.Bytes.AsSpan(first.Start));
            if (length > destination.Length)
            {
                return false;
            }

            first.Bytes.AsSpan(first.Start + Prefix, length).CopyTo(destination);
            first.Start += Prefix + Pad(length);
            Interlocked.Decrement(ref _count);
            return true;
        }
    }

    /// <summary>Moves the oldest messages into <paramref name="batch"/>, as many as are queued and fit; how many it took.</summary>
    public int TryReadBatch(Platform.KernelMessageBatch batch)
    {
        lock (_readLock)
        {
            var taken = 0;
            // The messages queued when the read began: those later ones a writer is appending wait for the next read.
            var queued = Volatile.Read(ref _count);
            while (taken < queued && TryPeek(out var first))
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(first.Bytes.AsSpan(first.Start));
                if (!batch.HasRoomFor(length))
                {
                    break;
                }

                first.Bytes.AsSpan(first.Start + Prefix, length).CopyTo(batch.Reserve(length).Span);
                first.Start += Prefix + Pad(length);
                taken++;
            }

            // One fenced update for the burst: until then the writers see the queue a little fuller than it is.
            Interlocked.Add(ref _count, -taken);
            return taken;
        }
    }

    /// <summary>Takes the oldest message as an array of its own; false when none is queued.</summary>
    public bool TryRead(out byte[] message)
    {
        lock (_readLock)
        {
            if (!TryPeek(out var first))
            {
                message = [];
                return false;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(first.Bytes.AsSpan(first.Start));
            message = first.Bytes.AsSpan(first.Start + Prefix, length).ToArray();
            first.Start += Prefix + Pad(length);
            Interlocked.Decrement(ref _count);
            return true;
        }
    }

    /// <summary>Waits until a message is queued (true) or the inbox is completed and read empty (false).</summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (Volatile.Read(ref _count) > 0)
            {
                return true;
            }

            if (_completed)
            {
                // What was queued before the completion is counted by now.
                return Volatile.Read(ref _count) > 0;
            }

            // The flag is set (a full fence) before the count is read again, and a writer counts (a full fence) before
            // it reads the flag: one of the two sees the other, so a message is never left waiting for a sleeping reader.
            Interlocked.Exchange(ref _readerWaiting, 1);
            if (Volatile.Read(ref _count) > 0 || _completed)
            {
                // No need to wait after all. Had a writer taken the flag already, its wake-up lets a later wait
                // through at once, and that one looks again.
                Interlocked.Exchange(ref _readerWaiting, 0);
                continue;
            }

            await _arrived.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>No more messages: readers get the queued ones, then the end.</summary>
    public void Complete()
    {
        lock (_writeLock)
        {
            _completed = true;
        }

        _arrived.Release();
    }

    private static int Pad(int length) => (length + 7) & ~7;

    // The first segment holding an unread message, letting go of those read to their end; false when none is queued.
    // Only under _readLock.
    private bool TryPeek(out Segment first)
    {
        first = null!;
        if (Volatile.Read(ref _count) == 0)
        {
            return false;
        }

        var segment = Volatile.Read(ref _first);
        while (segment is not null && segment.Start >= Volatile.Read(ref segment.End))
        {
            // Read to its end: a message counted and not in it is in a later segment, linked before it was counted.
            var next = Volatile.Read(ref segment.Next);
            if (next is null)
            {
                return false;
            }

            _first = next;
            Spare(segment);
            segment = next;
        }

        if (segment is null)
        {
            return false;
        }

        first = segment;
        return true;
    }

    // A segment for a message of needed bytes: a spare when it is big enough, else a new one. Only under _writeLock.
    private Segment TakeSegment(int needed)
    {
        if (needed <= SegmentSize)
        {
            lock (_sparesLock)
            {
                if (_spares.TryPop(out var spare))
                {
                    return spare;
                }
            }
        }

        return new Segment(new byte[Math.Max(SegmentSize, needed)]);
    }

    // Keeps a plain segment no side refers to any more for later, while few are kept.
    private void Spare(Segment segment)
    {
        if (segment.Bytes.Length != SegmentSize)
        {
            return;
        }

        (segment.Start, segment.End, segment.Next) = (0, 0, null);
        lock (_sparesLock)
        {
            if (_spares.Count < MaxSpares)
            {
                _spares.Push(segment);
            }
        }
    }

    private sealed class Segment(byte[] bytes)
    {
        public readonly byte[] Bytes = bytes;

        // The reader's.
        public int Start;

        // Moved by the writer only, after the bytes before it are in place.
        public int End;

        // Set by the writer once, after the segment's first message is in place.
        public Segment? Next;
    }
}
