using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Platform.OpenBSD.PfKey;

/// <summary>
/// The kernel's key engine through <c>socket(PF_KEY, SOCK_RAW, PF_KEY_V2)</c>. Reads return whole
/// messages (the header's length decides how much to take); writes go through one queue and one
/// writer so messages reach the kernel in order; the SADB/SPD snapshots come from sysctl.
/// </summary>
internal sealed class PfKeySocket : IKeyEngine
{
    private const int MaxMessageBytes = ushort.MaxValue * 8; // sadb_msg_len is a u16 of 8-byte units
    private const int MaxBurstMessages = 256;

    private readonly INativeCalls native;
    private readonly ILogger logger;
    private readonly PolledDescriptor descriptor;
    private readonly Channel<PendingWrite> writes = Channel.CreateBounded<PendingWrite>(
        new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource disposing = new();
    private readonly Task writer;
    private int sequence;
    private int disposed;
    private KernelMessageBatchReader? batchReader;
    private KeyEngineException? pendingReadError;

    private PfKeySocket(INativeCalls native, int fd, ILogger logger)
    {
        this.native = native;
        this.logger = logger;
        descriptor = new PolledDescriptor(native, fd);
        Pid = (uint)native.GetPid();
        writer = Task.Run(WriteLoopAsync);
    }

    public uint Pid { get; }

    /// <summary>Opens the PF_KEY socket of this OpenBSD host (root only).</summary>
    public static PfKeySocket Open(ILogger? logger = null)
    {
        HostOs.RequireOpenBsd("the PF_KEY socket");
        return Open(LibcNative.Instance, logger);
    }

    /// <summary>Opens a PF_KEY socket through <paramref name="native"/>.</summary>
    public static PfKeySocket Open(INativeCalls native, ILogger? logger = null) =>
        new(native, OpenDescriptor(native), logger ?? NullLogger.Instance);

    /// <summary>
    /// A PF_KEY socket opened by another process (the privileged side of privilege separation) and
    /// inherited as descriptor <paramref name="fd"/>; this object owns it from now on.
    /// </summary>
    public static PfKeySocket Adopt(int fd, ILogger? logger = null) => new(LibcNative.Instance, fd, logger ?? NullLogger.Instance);

    /// <summary>Opens the PF_KEY socket and returns its descriptor (non-blocking, close-on-exec), for a process to hand on.</summary>
    public static int OpenDescriptor(INativeCalls native)
    {
        ArgumentNullException.ThrowIfNull(native);
        var fd = native.Socket(
            OpenBsdSocket.AfKey,
            OpenBsdSocket.SockRaw | OpenBsdSocket.SockNonBlock | OpenBsdSocket.SockCloExec,
            OpenBsdSocket.PfKeyV2);
        if (fd.IsError)
        {
            var hint = fd.Errno is OpenBsdErrno.EACCES or OpenBsdErrno.EPERM ? " (PF_KEY needs root)" : "";
            throw new KeyEngineException(fd.Errno, $"cannot open the PF_KEY socket: {SystemCallException.Describe(fd.Errno)}{hint}");
        }

        return (int)fd.Value;
    }

    public ValueTask SetPromiscuousAsync(bool enabled, CancellationToken cancellationToken)
    {
        var request = PromiscuousRequest.Encode(enabled, NextSequence(), Pid);
        logger.LogDebug("PF_KEY promiscuous mode {State}", enabled ? "on" : "off");
        return WriteAsync(request, cancellationToken);
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var pending = new PendingWrite(message, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await writes.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposing.Token);
        var token = linked.Token;
        while (true)
        {
            ReadBurst burst;
            try
            {
                burst = await Task.Run(() => ReadBurstOf(token), token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                yield break;
            }

            foreach (var message in burst.Messages)
            {
                yield return message;
            }

            if (burst.Ended)
            {
                yield break;
            }
        }
    }

    /// <summary>A read burst (the messages one recv loop took off the socket) goes into one batch, as far as it fits.</summary>
    public ValueTask<bool> ReadBatchAsync(KernelMessageBatch batch, CancellationToken cancellationToken) =>
        (batchReader ??= new KernelMessageBatchReader(ReadAllAsync(cancellationToken), cancellationToken)).ReadAsync(batch);

    public IAsyncEnumerable<KernelDumpChunk> DumpAsync(CancellationToken cancellationToken) => DumpBySysctlAsync(native, cancellationToken);

    /// <summary>
    /// The SADB and SPD by sysctl(2), which needs no PF_KEY socket (the privileged process of privilege separation has none).
    /// The kernel answers each in one buffer (that is what makes it atomic); it is handed out in chunks and cleared (keys)
    /// once every chunk was released.
    /// </summary>
    public static async IAsyncEnumerable<KernelDumpChunk> DumpBySysctlAsync(INativeCalls native, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var dump = await Task.Run(
            () => new KernelDump(
                SysctlDump.Fetch(native, Structs.PfKeySysctl.SadbDump, cancellationToken),
                SysctlDump.Fetch(native, Structs.PfKeySysctl.SpdDump, cancellationToken)),
            cancellationToken).ConfigureAwait(false);
        await foreach (var chunk in KernelDumpChunks.FromWhole(dump.Sadb, dump.Spd, () => Clear(dump)).ConfigureAwait(false))
        {
            yield return chunk;
        }
    }

    private static void Clear(KernelDump dump)
    {
        foreach (var table in new[] { dump.Sadb, dump.Spd })
        {
            if (MemoryMarshal.TryGetArray(table, out var segment))
            {
                segment.AsSpan().Clear();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        writes.Writer.TryComplete();
        await disposing.CancelAsync().ConfigureAwait(false);
        await writer.ConfigureAwait(false);
        native.Close(descriptor.Fd);
        disposing.Dispose();
    }

    /// <summary>
    /// Waits for one message, then takes what else the socket already holds without waiting, so that
    /// a burst costs one thread hand-off. A read error after some messages is kept for the next call,
    /// so that those messages are delivered first.
    /// </summary>
    private ReadBurst ReadBurstOf(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref pendingReadError, null) is { } pending)
        {
            throw pending;
        }

        var messages = new List<byte[]>();
        while (messages.Count < MaxBurstMessages)
        {
            ReadOutcome outcome;
            byte[]? message;
            try
            {
                outcome = ReadMessage(wait: messages.Count == 0, cancellationToken, out message);
            }
            catch (KeyEngineException e) when (messages.Count > 0)
            {
                pendingReadError = e;
                break;
            }

            if (outcome == ReadOutcome.End)
            {
                return new ReadBurst(messages, Ended: true);
            }

            if (outcome == ReadOutcome.NothingNow)
            {
                break;
            }

            messages.Add(message!);
        }

        return new ReadBurst(messages, Ended: false);
    }

    /// <summary>
    /// Reads the next whole message: peek at the 16-byte header, then read exactly its length.
    /// A record shorter than its header claims (or than a header) is dropped and logged, since
    /// the kernel delivers one record per read and the rest of a cut record is gone. Without
    /// <paramref name="wait"/>, an empty socket gives <see cref="ReadOutcome.NothingNow"/>.
    /// </summary>
    private ReadOutcome ReadMessage(bool wait, CancellationToken cancellationToken, out byte[]? message)
    {
        message = null;
        var header = new byte[SadbHeader.Size];
        while (true)
        {
            var peeked = descriptor.Read(header, OpenBsdSocket.MsgPeek, cancellationToken, wait);
            if (!wait && peeked.Errno == OpenBsdErrno.EAGAIN)
            {
                return ReadOutcome.NothingNow;
            }

            if (peeked.IsError)
            {
                throw new KeyEngineException(peeked.Errno, $"PF_KEY read: {SystemCallException.Describe(peeked.Errno)}");
            }

            if (peeked.Value == 0)
            {
                return ReadOutcome.End;
            }

            var length = peeked.Value < SadbHeader.Size ? 0 : SadbHeader.Read(header).ByteLength;
            if (length < SadbHeader.Size)
            {
                // Take the bad record off the socket so the next read sees the next one.
                descriptor.Read(header, 0, cancellationToken);
                logger.LogWarning("PF_KEY: dropped a {Bytes}-byte record without a valid header", peeked.Value);
                continue;
            }

            var buffer = new byte[Math.Min(length, MaxMessageBytes)];
            var read = descriptor.Read(buffer, 0, cancellationToken);
            if (read.IsError)
            {
                throw new KeyEngineException(read.Errno, $"PF_KEY read: {SystemCallException.Describe(read.Errno)}");
            }

            if (read.Value == 0)
            {
                return ReadOutcome.End;
            }

            if (read.Value < length)
            {
                logger.LogWarning("PF_KEY: dropped a message cut to {Read} of its {Length} bytes", read.Value, length);
                continue;
            }

            message = buffer;
            return ReadOutcome.Message;
        }
    }

    private enum ReadOutcome
    {
        Message,
        NothingNow,
        End,
    }

    private sealed record ReadBurst(List<byte[]> Messages, bool Ended);

    private async Task WriteLoopAsync()
    {
        var token = disposing.Token;
        try
        {
            await foreach (var pending in writes.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                Complete(pending, token);
            }
        }
        catch (OperationCanceledException)
        {
            // disposing
        }

        while (writes.Reader.TryRead(out var left))
        {
            left.Done.TrySetException(new ObjectDisposedException(nameof(PfKeySocket)));
        }
    }

    private void Complete(PendingWrite pending, CancellationToken token)
    {
        try
        {
            var written = descriptor.Write(pending.Message, token);
            if (written.IsError)
            {
                pending.Done.TrySetException(new KeyEngineException(written.Errno, $"PF_KEY write refused: {SystemCallException.Describe(written.Errno)}"));
            }
            else if (written.Value != pending.Message.Length)
            {
                pending.Done.TrySetException(new KeyEngineException($"PF_KEY write took {written.Value} of {pending.Message.Length} bytes"));
            }
            else
            {
                pending.Done.TrySetResult();
            }
        }
        catch (OperationCanceledException)
        {
            pending.Done.TrySetException(new ObjectDisposedException(nameof(PfKeySocket)));
            throw;
        }
    }

    private uint NextSequence() => (uint)Interlocked.Increment(ref sequence);

    private sealed record PendingWrite(ReadOnlyMemory<byte> Message, TaskCompletionSource Done);
}
