namespace Sasync.Core.Net;

/// <summary>
/// A buffer that one session's reader decodes frames into, back to back, so that a frame's plaintext needs no
/// array of its own. Counted references: the reader holds one while it fills the slab, each batch of frames
/// handed to the node one more until the node has handled it; the last release gives the slab back to its pool.
/// </summary>
internal sealed class FrameSlab
{
    private readonly FrameSlabPool _pool;
    private int _references;

    public FrameSlab(FrameSlabPool pool, int size)
    {
        _pool = pool;
        Buffer = new byte[size];
        // Made once: handing a batch's release to the node allocates nothing.
        Release = ReleaseOne;
    }

    /// <summary>The bytes frames are decoded into.</summary>
    public byte[] Buffer { get; }

    /// <summary>How much of <see cref="Buffer"/> holds plaintexts (only the reader touches it).</summary>
    public int Used { get; set; }

    /// <summary>The free rest of the buffer.</summary>
    public Memory<byte> Free => Buffer.AsMemory(Used);

    /// <summary>Gives back one reference (the reader's, or one batch's once handled).</summary>
    public Action Release { get; }

    /// <summary>Takes one more reference, for a batch of frames on its way to the node.</summary>
    public void AddReference() => Interlocked.Increment(ref _references);

    /// <summary>Makes the slab empty and held once, by the reader that takes it from the pool.</summary>
    public void Reset()
    {
        Used = 0;
        Volatile.Write(ref _references, 1);
    }

    private void ReleaseOne()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            _pool.Return(this);
        }
    }
}

/// <summary>A session's spare <see cref="FrameSlab"/>s, kept up to a few; thread-safe.</summary>
internal sealed class FrameSlabPool(int slabSize, int maxKept)
{
    private readonly Stack<FrameSlab> _spare = new();
    private readonly Lock _lock = new();

    /// <summary>The size of each slab.</summary>
    public int SlabSize => slabSize;

    /// <summary>An empty slab, held once by the caller.</summary>
    public FrameSlab Rent()
    {
        FrameSlab? slab;
        lock (_lock)
        {
            _spare.TryPop(out slab);
        }

        slab ??= new FrameSlab(this, slabSize);
        slab.Reset();
        return slab;
    }

    /// <summary>Keeps a slab nobody holds any more, unless enough are kept already (the GC takes it then).</summary>
    public void Return(FrameSlab slab)
    {
        lock (_lock)
        {
            if (_spare.Count < maxKept)
            {
                _spare.Push(slab);
            }
        }
    }
}
