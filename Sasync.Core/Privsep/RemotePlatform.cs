using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Sasync.Core.Hosting;
using Sasync.Core.Platform;
using Sasync.Core.Sync;

namespace Sasync.Core.Privsep;

/// <summary>
/// The network process's platform: the PF_KEY socket it was handed for reads and writes, and the
/// privileged process (through <see cref="PrivsepClient"/>) for everything that needs root.
/// </summary>
internal static class RemotePlatform
{
    public static NodePlatform Create(IKeyEngine handedKeys, PrivsepClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new NodePlatform(
            new RemoteDumpKeyEngine(handedKeys, client),
            new RemoteCarpSource(client),
            new RemoteDemoter(client),
            ImmutableDictionary<DaemonKind, IDaemonControl>.Empty
                .Add(DaemonKind.Isakmpd, new RemoteDaemonControl(client, DaemonKind.Isakmpd))
                .Add(DaemonKind.Iked, new RemoteDaemonControl(client, DaemonKind.Iked)));
    }

    /// <summary>Reads and writes on the handed socket; dumps come from the privileged process (sysctl needs root).</summary>
    private sealed class RemoteDumpKeyEngine(IKeyEngine keys, PrivsepClient client) : IKeyEngine
    {
        public uint Pid => keys.Pid;

        public ValueTask SetPromiscuousAsync(bool enabled, CancellationToken cancellationToken) => keys.SetPromiscuousAsync(enabled, cancellationToken);

        public ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) => keys.WriteAsync(message, cancellationToken);

        public IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync(CancellationToken cancellationToken) => keys.ReadAllAsync(cancellationToken);

        public ValueTask<bool> ReadBatchAsync(KernelMessageBatch batch, CancellationToken cancellationToken) => keys.ReadBatchAsync(batch, cancellationToken);

        public IAsyncEnumerable<KernelDumpChunk> DumpAsync(CancellationToken cancellationToken) => client.DumpKernelAsync(cancellationToken);

        public ValueTask DisposeAsync() => keys.DisposeAsync();
    }

    /// <summary>The carp link state as the privileged process reports it (the interface is the configured one).</summary>
    private sealed class RemoteCarpSource(PrivsepClient client) : ICarpStateSource
    {
        public async ValueTask<LinkState> ReadAsync(string interfaceName, CancellationToken cancellationToken) =>
            await client.CurrentCarpStateAsync(cancellationToken).ConfigureAwait(false);

        /// <summary>The first state the privileged process reported, then every later one (the contract of the watch).</summary>
        public async IAsyncEnumerable<LinkState> WatchAsync(string interfaceName, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            yield return await client.FirstCarpStateAsync(cancellationToken).ConfigureAwait(false);
            await foreach (var state in client.CarpChangesAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return state;
            }
        }
    }

    /// <summary>Demotion of the configured group, one step at a time.</summary>
    private sealed class RemoteDemoter(PrivsepClient client) : ICarpDemoter
    {
        public ValueTask<int> ReadAsync(string group, CancellationToken cancellationToken) => client.ReadDemotionAsync(cancellationToken);

        public async ValueTask AdjustAsync(string group, int delta, CancellationToken cancellationToken)
        {
            for (var step = 0; step < Math.Abs(delta); step++)
            {
                await client.AdjustDemotionAsync(delta > 0, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private sealed class RemoteDaemonControl(PrivsepClient client, DaemonKind daemon) : IDaemonControl
    {
        public ValueTask SetActiveAsync(bool active, CancellationToken cancellationToken) => client.SetDaemonActiveAsync(daemon, active, cancellationToken);
    }
}
