using System.Runtime.CompilerServices;
using Sasync.Core.PfKey;

namespace Sasync.Core.Platform;

/// <summary>Between a dump in one buffer per table (a sysctl's answer, the old form) and a stream of chunks.</summary>
public static class KernelDumpChunks
{
    /// <summary>
    /// The chunks of a dump that is whole in memory, as slices of it (nothing copied): SADB then SPD, each cut
    /// at record boundaries into pieces of about <see cref="KernelDumpBuffers.ChunkBytes"/>. From a point where the
    /// records no longer line up (a zero length, a record running past the end) one last chunk of that table starts
    /// there, so a reader finds the same fault (nothing after it is read, as in the whole form). <paramref name="release"/> runs once the enumeration is over
    /// and every chunk was released (e.g. to clear and return the buffers).
    /// </summary>
    public static async IAsyncEnumerable<KernelDumpChunk> FromWhole(ReadOnlyMemory<byte> sadb, ReadOnlyMemory<byte> spd, Action? release = null)
    {
        await Task.CompletedTask.ConfigureAwait(false); // all is in memory: nothing to wait for
        var holds = new Holds(release);
        try
        {
            foreach (var (table, dump) in new[] { (KernelDumpTable.Sadb, sadb), (KernelDumpTable.Spd, spd) })
            {
                for (var offset = 0; offset < dump.Length;)
                {
                    var length = ChunkLength(dump.Span[offset..], out var last);
                    var chunk = new KernelDumpChunk(table, dump.Slice(offset, length), holds.Take());
                    offset = last ? dump.Length : offset + length;
                    yield return chunk;
                }
            }
        }
        finally
        {
            holds.Release();
        }
    }

    /// <summary>The whole dump in one buffer per table, each chunk released as it is copied: for a caller that needs the old form.</summary>
    public static async ValueTask<KernelDump> ToWholeAsync(IAsyncEnumerable<KernelDumpChunk> chunks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        using var sadb = new MemoryStream();
        using var spd = new MemoryStream();
        await foreach (var chunk in chunks.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            using (chunk)
            {
                (chunk.Table == KernelDumpTable.Sadb ? sadb : spd).Write(chunk.Records.Span);
            }
        }

        return new KernelDump(sadb.ToArray(), spd.ToArray());
    }

    // Whole records up to the chunk size (at least one); all the rest once the records no longer line up.
    private static int ChunkLength(ReadOnlySpan<byte> rest, out bool last)
    {
        last = false;
        var length = 0;
        while (length < rest.Length)
        {
            var left = rest.Length - length;
            var record = left >= SadbHeader.Size ? SadbHeader.Read(rest[length..]).ByteLength : 0;
            if (record == 0 || record > left)
            {
                last = length == 0;
                return last ? Math.Min(rest.Length, KernelDumpBuffers.ChunkBytes) : length;
            }

            if (length > 0 && length + record > KernelDumpBuffers.ChunkBytes)
            {
                break;
            }

            length += record;
        }

        return length;
    }

    // The enumeration and each chunk out hold the buffer; the last to let go releases it.
    private sealed class Holds(Action? release)
    {
        private int _count = 1;

        public Action Take()
        {
            Interlocked.Increment(ref _count);
            return Release;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _count) == 0)
            {
                release?.Invoke();
            }
        }
    }
}
