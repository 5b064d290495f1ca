namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// One end of an in-memory TCP connection: bytes written arrive at the other end in order, in chunks
/// and after a delay the network draws; the other end's unread bytes count against a window, so a
/// reader that stops reading makes the writer's space run out. The owner hears of arrivals and of
/// space through <see cref="Readable"/> and <see cref="Writable"/>, on the scheduler's thread.
/// </summary>
internal sealed class SimulatedSocket
{
    private readonly Queue<byte[]> _arrived = new();

    internal SimulatedSocket(SimulatedNetwork network, long connectionId, string local, string remote, bool outbound)
    {
        Network = network;
        ConnectionId = connectionId;
        Local = local;
        Remote = remote;
        Outbound = outbound;
    }

    internal SimulatedNetwork Network { get; }

    internal SimulatedSocket Peer { get; set; } = null!;

    /// <summary>Same for both ends; names the connection in traces.</summary>
    public long ConnectionId { get; }

    public string Local { get; }

    public string Remote { get; }

    /// <summary>This end dialled.</summary>
    public bool Outbound { get; }

    /// <summary>Bytes arrived and not yet read.</summary>
    public int Available { get; private set; }

    /// <summary>Bytes this end wrote that the other end has not read yet.</summary>
    public int Unread { get; internal set; }

    /// <summary>The other end closed and everything it wrote has been read: the stream is at its end.</summary>
    public bool AtEnd => FinArrived && Available == 0;

    /// <summary>Why the connection failed (reset, timed out); null while it has not.</summary>
    public string? Error { get; private set; }

    /// <summary>This end was closed or aborted by its owner (or its process died).</summary>
    public bool Closed { get; private set; }

    internal bool FinArrived { get; private set; }

    /// <summary>The process owning this end vanished with its host, without a word to the other end.</summary>
    internal bool Vanished { get; set; }

    /// <summary>Called when bytes, the end of the stream or an error arrive.</summary>
    public Action? Readable { get; set; }

    /// <summary>Called when the other end read some of what this end wrote.</summary>
    public Action? Writable { get; set; }

    /// <summary>Bytes that may be written now without exceeding the window.</summary>
    public int Space => Math.Max(0, Network.Timings.Window - Unread);

    /// <summary>Sends <paramref name="data"/> (which must not change afterwards); false when the connection is gone.</summary>
    public bool Write(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Closed || Error is not null || data.Length == 0)
        {
            return !Closed && Error is null;
        }

        Unread += data.Length;
        Network.Transmit(this, data);
        return true;
    }

    /// <summary>Takes every byte that has arrived, appending it to <paramref name="destination"/>; returns the count.</summary>
    public int ReadAll(ByteQueue destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var total = 0;
        while (_arrived.TryDequeue(out var chunk))
        {
            destination.Append(chunk);
            total += chunk.Length;
        }

        Available = 0;
        if (total > 0)
        {
            Network.Consumed(this, total);
        }

        return total;
    }

    /// <summary>Closes this end gracefully: the other end reads what is in flight, then the end of the stream.</summary>
    public void Close()
    {
        if (Closed)
        {
            return;
        }

        Closed = true;
        Readable = null;
        Writable = null;
        if (Error is null && !Vanished)
        {
            Network.SendFin(this);
        }
    }

    /// <summary>Closes this end abortively (RST): the other end gets "connection reset" and loses what is in flight.</summary>
    public void Abort()
    {
        if (Closed)
        {
            return;
        }

        Closed = true;
        Readable = null;
        Writable = null;
        if (Error is null && !Vanished)
        {
            Network.SendReset(this);
        }
    }

    internal void Arrive(byte[] chunk)
    {
        if (Closed || Error is not null)
        {
            return;
        }

        _arrived.Enqueue(chunk);
        Available += chunk.Length;
        Readable?.Invoke();
    }

    internal void ArriveFin()
    {
        if (Closed || Error is not null)
        {
            return;
        }

        FinArrived = true;
        Readable?.Invoke();
    }

    internal void Fail(string reason)
    {
        if (Error is not null)
        {
            return;
        }

        Error = reason;
        _arrived.Clear();
        Available = 0;
        if (!Closed)
        {
            Readable?.Invoke();
        }
    }

    internal void Drained() => Writable?.Invoke();

    public override string ToString() => $"c{ConnectionId} {Local}->{Remote}";
}
