using System.Runtime.CompilerServices;
using Sasync.Core.Platform;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// One PF_KEY socket of a <see cref="SimulatedKernel"/>, opened by the process <see cref="Pid"/>.
/// Writes execute synchronously inside the kernel; what the kernel sends to this socket waits in a
/// bounded queue until read. Thread-safe; one reader at a time is expected, like a socket.
/// </summary>
/// <remarks>
/// The queue holds copies of the messages' bytes, so the kernel allocates nothing to deliver them. A reader that
/// keeps messages gets arrays of their own (<see cref="ReadAllAsync"/>, <see cref="TryRead(out ReadOnlyMemory{byte})"/>);
/// one that does not reads into its own buffer (<see cref="ReadAsync"/>, <see cref="TryRead(Span{byte}, out int)"/>)
/// and allocates nothing either.
/// </remarks>
public sealed class SimulatedKeyClient : IKeyEngine, IKeyEngineWriteRun
{
    private readonly SimulatedKernel _kernel;
    private readonly KeyClientInbox _inbox;
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
        _inbox = new KeyClientInbox(capacity);
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

    /// <summary>Starts a write run of the whole kernel (every socket's writes), as <see cref="IKeyEngineWriteRun"/> says.</summary>
    public void BeginWriteRun() => _kernel.BeginWriteRun();

    /// <inheritdoc/>
    public void EndWriteRun() => _kernel.EndWriteRun();

    /// <inheritdoc/>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await _inbox.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_inbox.TryRead(out byte[] message))
            {
                yield return message;
            }
        }
    }

    /// <summary>Every queued message that fits <paramref name="batch"/>, under one lock, once there is one: no array per message.</summary>
    public async ValueTask<bool> ReadBatchAsync(KernelMessageBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Clear();
        while (await _inbox.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_inbox.TryReadBatch(batch) > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Takes one queued message, as an array of its own, without waiting; false when none is queued.</summary>
    public bool TryRead(out ReadOnlyMemory<byte> message)
    {
        var read = _inbox.TryRead(out byte[] bytes);
        message = bytes;
        return read;
    }

    /// <summary>
    /// Takes one queued message into <paramref name="destination"/> without waiting. False when none is queued
    /// (<paramref name="length"/> 0) or when it is longer than <paramref name="destination"/> (<paramref name="length"/>
    /// its length; it stays queued).
    /// </summary>
    public bool TryRead(Span<byte> destination, out int length) => _inbox.TryRead(destination, out length);

    /// <summary>
    /// Waits for a message and reads it into <paramref name="destination"/>, as a read(2) of the socket; returns its
    /// length, 0 once the socket is closed and read empty. A message longer than <paramref name="destination"/> throws.
    /// </summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (await _inbox.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_inbox.TryRead(destination.Span, out var length))
            {
                return length;
            }

            if (length > 0)
            {
                throw new ArgumentException($"a message of {length} bytes does not fit the {destination.Length} bytes given", nameof(destination));
            }
        }

        return 0;
    }

    /// <summary>The sysctl dumps of this socket's routing domain.</summary>
    public IAsyncEnumerable<KernelDumpChunk> DumpAsync(CancellationToken cancellationToken) => _kernel.DumpChunksAsync(RoutingDomain, cancellationToken);

    /// <summary>Closes the socket: the kernel forgets it and readers see the end of the stream.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _kernel.Close(this);
            _inbox.Complete();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// sbappendaddr: queues the message or, when the queue is full, drops it and counts it. True when a reader waits
    /// for it and <paramref name="wakeNow"/> was false: the caller then owes a <see cref="WakeReader"/> (sorwakeup).
    /// </summary>
    internal bool Deliver(ReadOnlySpan<byte> message, bool wakeNow = true)
    {
        if (!_inbox.TryWrite(message, wakeNow, out var readerWaits))
        {
            Interlocked.Increment(ref _dropped);
        }

        return readerWaits;
    }

    /// <summary>sorwakeup: wakes a reader waiting for what was queued.</summary>
    internal void WakeReader() => _inbox.WakeReader();
}
