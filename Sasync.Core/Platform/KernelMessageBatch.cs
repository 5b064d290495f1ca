namespace Sasync.Core.Platform;

/// <summary>
/// Messages read from a PF_KEY socket in one call (<see cref="IKeyEngine.ReadBatchAsync"/>), back to back in one
/// buffer that the next read after <see cref="Clear"/> fills again: reading a burst takes one call and no array per
/// message. Bounded by a byte and a message count (a message longer than the byte bound still goes in first). The
/// buffer starts small and grows as bursts need, so that many batches of a message or two (a reader that keeps up)
/// hold little memory. One reader at a time.
/// </summary>
/// <remarks>
/// The <see cref="Messages"/> slice the buffer, so they are valid only until <see cref="Clear"/>: a reader that keeps
/// one past that copies it.
/// </remarks>
public sealed class KernelMessageBatch
{
    /// <summary>The most bytes a batch takes unless given: a socket buffer's worth.</summary>
    public const int DefaultBytes = 64 * 1024;

    private const int FirstBufferBytes = 4096;

    /// <summary>The most messages a batch takes unless given.</summary>
    public const int DefaultMaxMessages = 256;

    private readonly List<ReadOnlyMemory<byte>> _messages;
    private readonly int _maxMessages;
    private readonly int _maxBytes;
    private byte[] _buffer;
    private int _used; // of _buffer
    private int _bytes; // of the batch's messages

    /// <summary>An empty batch of at most <paramref name="maxBytes"/> bytes and <paramref name="maxMessages"/> messages.</summary>
    public KernelMessageBatch(int maxBytes = DefaultBytes, int maxMessages = DefaultMaxMessages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        _buffer = new byte[Math.Min(maxBytes, FirstBufferBytes)];
        _maxBytes = maxBytes;
        _maxMessages = maxMessages;
        _messages = new List<ReadOnlyMemory<byte>>(maxMessages);
    }

    /// <summary>The messages read, oldest first; valid until <see cref="Clear"/>.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Messages => _messages;

    /// <summary>How many messages it holds.</summary>
    public int Count => _messages.Count;

    /// <summary>Whether a message of <paramref name="length"/> bytes goes in: there is room for it, or the batch is empty.</summary>
    public bool HasRoomFor(int length) =>
        _messages.Count == 0 || (_messages.Count < _maxMessages && _bytes + length <= _maxBytes);

    /// <summary>Copies <paramref name="message"/> in; false (nothing copied) when <see cref="HasRoomFor"/> says no.</summary>
    public bool TryAdd(ReadOnlySpan<byte> message)
    {
        if (!HasRoomFor(message.Length))
        {
            return false;
        }

        message.CopyTo(Reserve(message.Length).Span);
        return true;
    }

    /// <summary>
    /// The room for the next message, of <paramref name="length"/> bytes, added to <see cref="Messages"/> at once: the
    /// caller writes it there before anyone reads the batch. Only after <see cref="HasRoomFor"/> said yes.
    /// </summary>
    public Memory<byte> Reserve(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (!HasRoomFor(length))
        {
            throw new InvalidOperationException($"no room for a message of {length} bytes");
        }

        if (_buffer.Length - _used < length)
        {
            // The messages so far keep the old buffer until Clear; the batch goes on in a bigger one, kept from then on.
            _buffer = new byte[Math.Max(length, Math.Min(_maxBytes, 2 * _buffer.Length))];
            _used = 0;
        }

        var room = _buffer.AsMemory(_used, length);
        _used += length;
        _bytes += length;
        _messages.Add(room);
        return room;
    }

    /// <summary>Empties the batch for the next read; the messages handed out before are no longer valid.</summary>
    public void Clear()
    {
        _messages.Clear();
        _used = 0;
        _bytes = 0;
    }
}
