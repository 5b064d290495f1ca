using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Sasync.Core.Platform;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// One PF_KEY socket of a <see cref="SimulatedKernel"/>, opened by the process <see cref="Pid"/>.
/// Writes execute synchronously inside the kernel; what the kernel sends to this socket waits in a
/// bounded queue until read. Thread-safe; one reader at a time is expected, like a socket.
/// </summary>
public sealed class SimulatedKeyClient : IKeyEngine
{
    private readonly SimulatedKernel _kernel;
    private readonly Channel<ReadOnlyMemory<byte>> _inbox;
    private long _dropped;
    private uint _sequence;
    private volatile bool _promiscuous;
    private volatile bool _registered;
    private int _disposed;

    internal SimulatedKeyClient(SimulatedKernel kernel, uint pid, uint routingDomain, int capacity)
    {
        _kernel = kernel;
        Pid = pid;
        RoutingDomain = routingDomain;
        _inbox = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping queued messages
            SingleReader = false,
            SingleWriter = false,
        });
    }

    /// <inheritdoc/>
    public uint Pid { get; }

    /// <summary>The routing domain the socket lives in: it only hears messages of that domain.</summary>
    public uint RoutingDomain { get; }

    /// <summary>Whether the socket has PFKEYV2_SOCKETFLAGS_PROMISC set.</summary>
    public bool IsPromiscuous
    {
        get => _promiscuous;
        internal set => _promiscuous = value;
    }

    /// <summary>Whether the socket sent SADB_REGISTER.</summary>
    public bool IsRegistered
    {
        get => _registered;
        internal set => _registered = value;
    }

    /// <summary>Messages the kernel could not queue for this socket because its queue was full (ENOBUFS).</summary>
    public long DroppedMessages => Interlocked.Read(ref _dropped);

    /// <summary>Sends SADB_X_PROMISC (satype 1 on, 0 off) like sasyncd's pfkey_set_promisc, through the kernel.</summary>
    public ValueTask SetPromiscuousAsync(bool enabled, CancellationToken cancellationToken)
    {
        var message = new byte[SadbHeader.Size];
        new SadbHeader(SadbHeader.Version2, SadbMessageType.XPromisc, 0, enabled ? SadbSaType.Ah : SadbSaType.Unspec, 2, 0, Interlocked.Increment(ref _sequence), Pid)
            .WriteTo(message);
        return WriteAsync(message, cancellationToken);
    }

    /// <summary>Executes the message in the kernel before returning; a refusal throws <see cref="KeyEngineException"/>.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            _kernel.Write(this, message);
            return ValueTask.CompletedTask;
        }
        catch (KeyEngineException e)
        {
            return ValueTask.FromException(e);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var message in _inbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }
    }

    /// <summary>Takes one queued message without waiting; false when none is queued.</summary>
    public bool TryRead(out ReadOnlyMemory<byte> message) => _inbox.Reader.TryRead(out message);

    /// <summary>The sysctl dumps of this socket's routing domain.</summary>
    public IAsyncEnumerable<KernelDumpChunk> DumpAsync(CancellationToken cancellationToken) => _kernel.DumpChunksAsync(RoutingDomain, cancellationToken);

    /// <summary>Closes the socket: the kernel forgets it and readers see the end of the stream.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _kernel.Close(this);
            _inbox.Writer.TryComplete();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>sbappendaddr: queues the message or, when the queue is full, drops it and counts it.</summary>
    internal void Deliver(byte[] message)
    {
        if (!_inbox.Writer.TryWrite(message))
        {
            Interlocked.Increment(ref _dropped);
        }
    }
}
