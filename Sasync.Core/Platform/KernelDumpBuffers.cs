using System.Buffers;

namespace Sasync.Core.Platform;

/// <summary>
/// The pooled buffers a key engine fills with dump records, and how many are out: a chunk rents one,
/// its <see cref="KernelDumpChunk.Dispose"/> clears it (keys) and gives it back.
/// </summary>
public sealed class KernelDumpBuffers
{
    /// <summary>The size of a chunk's buffer: about a thousand SA records, far above the largest record a snapshot sends.</summary>
    public const int ChunkBytes = 256 * 1024;

    private long _outstanding;
    private long _peakOutstanding;
    private long _rented;

    /// <summary>Chunks rented and not yet released.</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding);

    /// <summary>The most chunks that were out at once.</summary>
    public long PeakOutstanding => Interlocked.Read(ref _peakOutstanding);

    /// <summary>Chunks rented in all.</summary>
    public long Rented => Interlocked.Read(ref _rented);

    /// <summary>A buffer of at least <paramref name="minimumBytes"/> (and at least <see cref="ChunkBytes"/>).</summary>
    public byte[] Rent(int minimumBytes = ChunkBytes) => ArrayPool<byte>.Shared.Rent(Math.Max(minimumBytes, ChunkBytes));

    /// <summary>A chunk of the first <paramref name="length"/> bytes of <paramref name="buffer"/> (from <see cref="Rent"/>), counted as out until released.</summary>
    public KernelDumpChunk Lend(KernelDumpTable table, byte[] buffer, int length)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Interlocked.Increment(ref _rented);
        var now = Interlocked.Increment(ref _outstanding);
        for (var peak = PeakOutstanding; now > peak && Interlocked.CompareExchange(ref _peakOutstanding, now, peak) != peak; peak = PeakOutstanding)
        {
        }

        return new KernelDumpChunk(table, buffer.AsMemory(0, length), () =>
        {
            buffer.AsSpan(0, length).Clear();
            ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Decrement(ref _outstanding);
        });
    }
}
