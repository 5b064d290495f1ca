namespace Sasync.Core.Simulation.Cluster;

/// <summary>Bytes received and not yet consumed by a decoder: appended at the end, taken from the front.</summary>
internal sealed class ByteQueue
{
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    public int Count => _end - _start;

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(_start, Count);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_end + bytes.Length > _buffer.Length)
        {
            var needed = Count + bytes.Length;
            var target = needed > _buffer.Length / 2 ? new byte[Math.Max(needed, _buffer.Length * 2)] : _buffer;
            _buffer.AsSpan(_start, Count).CopyTo(target);
            _end = Count;
            _start = 0;
            _buffer = target;
        }

        bytes.CopyTo(_buffer.AsSpan(_end));
        _end += bytes.Length;
    }

    public void Consume(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    public void Clear() => _start = _end = 0;
}
