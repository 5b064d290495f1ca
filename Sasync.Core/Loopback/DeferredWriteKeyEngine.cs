using Sasync.Core.Platform;

namespace Sasync.Core.Loopback;

/// <summary>
/// A key engine whose writes complete later, on another thread, as on OpenBSD where a write waits
/// for the socket's own writer; everything else passes through. Lets a simulated cluster run the
/// daemon's path for writes that are still in flight.
/// </summary>
internal sealed class DeferredWriteKeyEngine(IKeyEngine inner) : IKeyEngine
{
    public uint Pid => inner.Pid;

    public ValueTask SetPromiscuousAsync(bool enabled, CancellationToken cancellationToken) => inner.SetPromiscuousAsync(enabled, cancellationToken);

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await inner.WriteAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync(CancellationToken cancellationToken) => inner.ReadAllAsync(cancellationToken);

    public ValueTask<bool> ReadBatchAsync(KernelMessageBatch batch, CancellationToken cancellationToken) => inner.ReadBatchAsync(batch, cancellationToken);

    public IAsyncEnumerable<KernelDumpChunk> DumpAsync(CancellationToken cancellationToken) => inner.DumpAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
