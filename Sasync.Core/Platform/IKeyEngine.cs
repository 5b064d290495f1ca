namespace Sasync.Core.Platform;

/// <summary>
/// One PF_KEY v2 client of the kernel's key engine (a PF_KEY socket on OpenBSD, a client of the
/// simulated kernel otherwise). Messages are whole PF_KEY messages in the kernel's byte order.
/// </summary>
public interface IKeyEngine : IAsyncDisposable
{
    /// <summary>The pid the kernel expects in <c>sadb_msg_pid</c> of messages this client writes.</summary>
    uint Pid { get; }

    /// <summary>Turns promiscuous mode (SADB_X_PROMISC) on or off for this client.</summary>
    ValueTask SetPromiscuousAsync(bool enabled, CancellationToken cancellationToken);

    /// <summary>Writes one message; a kernel refusal is reported as a <see cref="KeyEngineException"/> with its errno.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>Yields every message the kernel delivers to this client (replies, broadcasts, promiscuous copies).</summary>
    IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Empties <paramref name="batch"/>, waits for a message and moves into it every message the kernel has already
    /// delivered to this client, as far as they fit (at least one): a burst in one call. False once the client is
    /// closed and read empty. One reader at a time, with one token for all its calls; not mixed with <see cref="ReadAllAsync"/>.
    /// An engine that reads one message at a time can answer by <see cref="KernelMessageBatchReader"/>.
    /// </summary>
    ValueTask<bool> ReadBatchAsync(KernelMessageBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// The SADB and then the SPD dump in the sysctl format, as chunks of whole records: one consistent view,
    /// taken when the first chunk is asked for (so in order with the writes before it). The reader disposes
    /// each chunk once read; the engine's memory for a dump is then what the reader holds, whatever the
    /// SADB's size. A failure (<see cref="KeyEngineException"/>) may come before any chunk or between two.
    /// An engine whose kernel answers in one buffer per table hands it out by <see cref="KernelDumpChunks.FromWhole"/>.
    /// </summary>
    IAsyncEnumerable<KernelDumpChunk> DumpAsync(CancellationToken cancellationToken);
}

/// <summary>The raw output of NET_KEY_SADB_DUMP and NET_KEY_SPD_DUMP, whole (see <see cref="KernelDumpChunks"/>).</summary>
public sealed record KernelDump(ReadOnlyMemory<byte> Sadb, ReadOnlyMemory<byte> Spd);

/// <summary>The kernel refused a PF_KEY operation.</summary>
public sealed class KeyEngineException : Exception
{
    /// <summary>The kernel answered <paramref name="errno"/> (OpenBSD numbering, see <see cref="OpenBsdErrno"/>).</summary>
    public KeyEngineException(int errno, string message) : base(message) => Errno = errno;

    /// <summary>A refusal without an errno (<see cref="Errno"/> 0).</summary>
    public KeyEngineException() { }

    /// <summary>A refusal without an errno (<see cref="Errno"/> 0), described by <paramref name="message"/>.</summary>
    public KeyEngineException(string message) : base(message) { }

    /// <summary>A refusal without an errno (<see cref="Errno"/> 0), caused by <paramref name="innerException"/>.</summary>
    public KeyEngineException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The errno value the kernel answered with (OpenBSD numbering, e.g. EEXIST 17, ESRCH 3, EINVAL 22).</summary>
    public int Errno { get; }
}
