namespace Sasync.Tests.Sessions;

/// <summary>
/// The connection rules of OpenBSD's sasyncd (net.c 1.24), and nothing more: one <see cref="Socket"/> per
/// peer. Every accepted connection becomes the socket without the previous one being closed (that one is
/// leaked, never read or written again); it dials only while the socket is -1 (at start), and writes STATE
/// right after; it reads and writes the socket only, answers each STATE with an ACK, and on EOF closes the
/// socket and sets it to -1.
/// </summary>
internal sealed class OriginalPeerModel(ModelNetwork network)
{
    public const long NoSocket = -1;

    private readonly Queue<ModelConnection> _backlog = new();

    public long Socket { get; private set; } = NoSocket;

    public bool Alive { get; private set; } = true;

    /// <summary>Connections we dialled that wait in its listen queue.</summary>
    public IReadOnlyCollection<ModelConnection> Backlog => _backlog;

    public void Enqueue(ModelConnection dialled) => _backlog.Enqueue(dialled);

    public bool CanAccept => Alive && _backlog.Count > 0;

    /// <summary>accept(): the new connection becomes the socket; the old one is left as it is.</summary>
    public void Accept()
    {
        var connection = _backlog.Dequeue();
        if (connection.ClosedByOriginal)
        {
            return;
        }

        Socket = connection.Id;
    }

    public bool CanDial => Alive && Socket == NoSocket;

    /// <summary>net_connect(): dials, sets the socket and writes STATE on it.</summary>
    public ModelConnection Dial()
    {
        var connection = network.Open(dialledByUs: false);
        Socket = connection.Id;
        connection.ToUs.Enqueue(ModelFrame.State);
        return connection;
    }

    public bool CanRead => Alive && Socket != NoSocket && network.Get(Socket) is { } c && (c.ToOriginal.Count > 0 || c.ClosedByUs);

    /// <summary>Reads one frame from the socket: STATE is answered with an ACK, anything else is ignored; EOF drops the socket.</summary>
    public void Read()
    {
        var connection = network.Get(Socket)!;
        if (connection.ToOriginal.Count == 0)
        {
            connection.ClosedByOriginal = true;
            Socket = NoSocket;
            return;
        }

        if (connection.ToOriginal.Dequeue() == ModelFrame.State)
        {
            connection.ToUs.Enqueue(ModelFrame.Ack);
        }
    }

    public bool CanRelay => Alive && Socket != NoSocket && network.Get(Socket) is { ClosedByUs: false };

    /// <summary>Writes a PF_KEY message on the socket, as a MASTER relays one.</summary>
    public void Relay() => network.Get(Socket)!.ToUs.Enqueue(ModelFrame.PfKey);

    /// <summary>The process exits: the kernel closes every connection it had (and those in its listen queue).</summary>
    public void Stop()
    {
        Alive = false;
        Socket = NoSocket;
        _backlog.Clear();
        foreach (var connection in network.All)
        {
            connection.ClosedByOriginal = true;
        }
    }

    /// <summary>A new process: it dials at start.</summary>
    public ModelConnection Start()
    {
        Alive = true;
        return Dial();
    }
}
