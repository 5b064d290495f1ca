namespace Sasync.Tests.Sessions;

/// <summary>What the models write on a connection; the rules only need to tell these apart.</summary>
internal enum ModelFrame
{
    Hello,
    State,
    Ack,
    PfKey,
}

/// <summary>One TCP connection between us and the peer model, with what is in flight each way.</summary>
internal sealed class ModelConnection(long id, bool dialledByUs)
{
    public long Id { get; } = id;

    public bool DialledByUs { get; } = dialledByUs;

    public Queue<ModelFrame> ToOriginal { get; } = new();

    public Queue<ModelFrame> ToUs { get; } = new();

    /// <summary>We know it (dialled it, or accepted it from our listen queue).</summary>
    public bool KnownToUs { get; set; }

    public bool ClosedByUs { get; set; }

    public bool ClosedByOriginal { get; set; }

    /// <summary>We were told it ended.</summary>
    public bool ReportedClosed { get; set; }
}

/// <summary>Every connection ever opened between us and the model.</summary>
internal sealed class ModelNetwork
{
    private readonly Dictionary<long, ModelConnection> _connections = [];
    private long _nextId;

    public IEnumerable<ModelConnection> All => _connections.Values;

    public ModelConnection Open(bool dialledByUs)
    {
        var connection = new ModelConnection(++_nextId, dialledByUs);
        _connections.Add(connection.Id, connection);
        return connection;
    }

    public ModelConnection? Get(long id) => _connections.GetValueOrDefault(id);
}
