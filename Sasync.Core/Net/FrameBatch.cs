namespace Sasync.Core.Net;

/// <summary>
/// A <see cref="PeerLinkFrames"/> for the node that is used again once the node has handled it: the event, its list
/// of frames and the slab their plaintexts are in, so that handing a few frames to the node allocates nothing.
/// </summary>
internal sealed class FrameBatch
{
    private readonly FrameBatchPool _pool;
    private readonly List<ReceivedFrame> _frames = [];
    private FrameSlab? _slab;

    public FrameBatch(FrameBatchPool pool, string peer, long carrier)
    {
        _pool = pool;
        Event = new PeerLinkFrames(peer, carrier, _frames) { Handled = OnHandled };
    }

    /// <summary>The event for the node; its frames are those added since the batch was rented.</summary>
    public PeerLinkFrames Event { get; }

    public int Count => _frames.Count;

    /// <summary>Adds a frame whose plaintext may be in <paramref name="slab"/>, which the batch then holds until handled.</summary>
    public void Add(ReceivedFrame frame, FrameSlab slab)
    {
        if (_slab is null)
        {
            slab.AddReference();
            _slab = slab;
        }

        _frames.Add(frame);
    }

    // The node is done with the frames: the slab may be reused, and so may the batch.
    private void OnHandled()
    {
        var slab = _slab;
        _slab = null;
        _frames.Clear();
        _pool.Return(this);
        slab?.Release();
    }
}

/// <summary>The spare <see cref="FrameBatch"/>es of one session (a carrier); thread-safe.</summary>
internal sealed class FrameBatchPool(string peer, long carrier, int maxKept)
{
    private readonly Stack<FrameBatch> _spare = new();
    private readonly Lock _lock = new();

    /// <summary>The connection whose frames the batches carry.</summary>
    public long Carrier => carrier;

    /// <summary>An empty batch.</summary>
    public FrameBatch Rent()
    {
        lock (_lock)
        {
            if (_spare.TryPop(out var batch))
            {
                return batch;
            }
        }

        return new FrameBatch(this, peer, carrier);
    }

    /// <summary>Keeps a handled batch, unless enough are kept already.</summary>
    public void Return(FrameBatch batch)
    {
        lock (_lock)
        {
            if (_spare.Count < maxKept)
            {
                _spare.Push(batch);
            }
        }
    }
}
