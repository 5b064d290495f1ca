using System.Buffers.Binary;

namespace Sasync.Core.Simulation;

/// <summary>
/// The receive queue of one simulated PF_KEY socket: the messages' bytes back to back in one buffer, as a
/// socket buffer holds them. Queueing copies a message in and allocates nothing (the kernel hands in its
/// scratch buffers, so it needs no array per message); the buffer grows for a burst and goes back to its
/// first size once read empty. Bounded by a message count; what does not fit is refused. Thread-safe.
/// </summary>
internal sealed class KeyClientInbox(int capacity)
{
    private const int InitialBytes = 16 * 1024;
    private const int ShrinkAbove = 1024 * 1024;
    private const int Prefix = 8; // each message's length, keeping the messages 8-byte aligned

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private byte[] _buffer = new byte[InitialBytes];
    private int _start; // the oldest message's prefix
    private int _end; // where the next message goes
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

            MakeRoom(Prefix + message.Length);
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_end), message.Length);
            message.CopyTo(_buffer.AsSpan(_end + Prefix));
            _end += Prefix + Pad(message.Length);
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

            length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
            if (length > destination.Length)
            {
                return false;
            }

            _buffer.AsSpan(_start + Prefix, length).CopyTo(destination);
            Dequeued(length);
            return true;
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

            var length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
            message = _buffer.AsSpan(_start + Prefix, length).ToArray();
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

    private void Dequeued(int length)
    {
        _start += Prefix + Pad(length);
        if (--_count == 0)
        {
            // Read empty: start over at the front, and give back what a burst made the buffer grow to.
            (_start, _end) = (0, 0);
            if (_buffer.Length > ShrinkAbove)
            {
                _buffer = new byte[InitialBytes];
            }
        }
    }

    // Moves the queued messages to the front when that makes room, else grows the buffer (at least doubling).
    private void MakeRoom(int needed)
    {
        needed = Pad(needed);
        if (_end + needed <= _buffer.Length)
        {
            return;
        }

        var queued = _end - _start;
        var target = queued + needed <= _buffer.Length / 2 ? _buffer : new byte[Math.Max(2 * _buffer.Length, Pad(queued + needed))];
        _buffer.AsSpan(_start, queued).CopyTo(target);
        (_buffer, _start, _end) = (target, 0, queued);
    }
}
