namespace Sasync.Core.Simulation;

/// <summary>
/// Where the simulated kernel keeps the extension bytes of its SAs and flows: 64 KiB chunks (below the
/// large-object threshold) cut into blobs, a freed blob going to a free list of its size for the next
/// blob of that size. An SA or flow is then one blob in a shared chunk rather than an array of its own,
/// and a table whose size stays the same (ADDs and DELETEs in turn) allocates nothing. Not thread-safe:
/// only touched under the kernel's lock.
/// </summary>
internal sealed class ExtensionArena
{
    /// <summary>Bytes per chunk: every offset in a chunk fits a ushort below <see cref="KernelLayout.Absent"/>.</summary>
    public const int ChunkSize = 1 << 16;

    private const int Granule = 8; // extensions are 8-byte multiples, so blobs are too
    private const int NoBlob = -1;

    private readonly List<byte[]> _chunks = [];
    // Per blob size in granules, the first free blob of that size; each free blob holds the next in its first 4 bytes.
    private readonly int[] _free = new int[ChunkSize / Granule + 1];
    private int _top = ChunkSize; // free space of the last chunk starts here

    public ExtensionArena() => Array.Fill(_free, NoBlob);

    /// <summary>A blob of <paramref name="length"/> bytes (a positive multiple of 8, at most <see cref="ChunkSize"/>), contents undefined.</summary>
    public ArenaBlob Allocate(int length)
    {
        if (length <= 0 || length % Granule != 0 || length > ChunkSize)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "blobs are positive multiples of 8 bytes, at most a chunk");
        }

        var size = length / Granule;
        if (_free[size] is var handle and not NoBlob)
        {
            var blob = FromHandle(handle, length);
            _free[size] = BitConverter.ToInt32(blob.Span);
            return blob;
        }

        if (_top + length > ChunkSize)
        {
            // The tail of the full chunk is lost; blobs are small against a chunk, so little is.
            _chunks.Add(new byte[ChunkSize]);
            _top = 0;
        }

        var allocated = new ArenaBlob(_chunks[^1], _chunks.Count - 1, _top, length);
        _top += length;
        return allocated;
    }

    /// <summary>Gives <paramref name="blob"/> back for a later blob of its size; nobody may use it after this.</summary>
    public void Free(ArenaBlob blob)
    {
        if (blob.Length == 0)
        {
            return;
        }

        var size = blob.Length / Granule;
        BitConverter.TryWriteBytes(blob.Span, _free[size]);
        _free[size] = blob.Chunk * (ChunkSize / Granule) + blob.Offset / Granule;
    }

    private ArenaBlob FromHandle(int handle, int length)
    {
        var chunk = handle / (ChunkSize / Granule);
        return new ArenaBlob(_chunks[chunk], chunk, handle % (ChunkSize / Granule) * Granule, length);
    }
}

/// <summary>A blob of an <see cref="ExtensionArena"/>: <see cref="Length"/> bytes at <see cref="Offset"/> of chunk <see cref="Buffer"/>.</summary>
internal readonly record struct ArenaBlob(byte[] Buffer, int Chunk, int Offset, int Length)
{
    /// <summary>No blob (an entry that keeps no extension).</summary>
    public static ArenaBlob None => new([], 0, 0, 0);

    public Span<byte> Span => Buffer.AsSpan(Offset, Length);
}
