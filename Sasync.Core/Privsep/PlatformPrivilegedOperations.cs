using System.Collections.Immutable;
using Sasync.Core.Config;
using Sasync.Core.Control;
using Sasync.Core.Platform;
using Sasync.Core.Sync;

namespace Sasync.Core.Privsep;

/// <summary>What the privileged process holds: the kernel dumps, the carp interface and group, the IKE daemons.</summary>
internal sealed record PrivilegedPlatform(
    Func<CancellationToken, IAsyncEnumerable<KernelDumpChunk>> Dump,
    ICarpStateSource Carp,
    ICarpDemoter Demoter,
    ImmutableDictionary<DaemonKind, IDaemonControl> Daemons);

/// <summary>
/// <see cref="IPrivilegedOperations"/> over the privileged platform, bound at start to the configured
/// carp interface and group, the configured IKE daemons and the configuration file.
/// </summary>
internal sealed class PlatformPrivilegedOperations(
    SyncSettings settings,
    PrivilegedPlatform platform,
    Func<CancellationToken, ValueTask<byte[]>> readConfig,
    IControlHandler? simulation) : IPrivilegedOperations
{
    private static readonly TimeSpan DaemonControlTimeout = TimeSpan.FromSeconds(2);

    public ICarpStateSource Carp => platform.Carp;

    public string CarpInterface => settings.CarpInterface;

    public IControlHandler? Simulation => simulation;

    public IAsyncEnumerable<KernelDumpChunk> DumpKernelAsync(CancellationToken cancellationToken) => platform.Dump(cancellationToken);

    public ValueTask AdjustDemotionAsync(int delta, CancellationToken cancellationToken) =>
        delta is 1 or -1
            ? platform.Demoter.AdjustAsync(settings.CarpGroup, delta, cancellationToken)
            : throw new ArgumentOutOfRangeException(nameof(delta), delta, "demotion moves by one");

    public ValueTask<int> ReadDemotionAsync(CancellationToken cancellationToken) => platform.Demoter.ReadAsync(settings.CarpGroup, cancellationToken);

    public bool Controls(DaemonKind daemon) => settings.Control switch
    {
        DaemonControlMode.All => daemon is DaemonKind.Isakmpd or DaemonKind.Iked,
        DaemonControlMode.Isakmpd => daemon == DaemonKind.Isakmpd,
        DaemonControlMode.Iked => daemon == DaemonKind.Iked,
        _ => false,
    };

    public async ValueTask SetDaemonActiveAsync(DaemonKind daemon, bool active, CancellationToken cancellationToken)
    {
        if (!Controls(daemon) || !platform.Daemons.TryGetValue(daemon, out var control))
        {
            throw new InvalidOperationException($"{daemon} is not controlled here");
        }

        // A daemon that does not answer must not hold the next request up for long; the engine retries.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DaemonControlTimeout);
        await control.SetActiveAsync(active, timeout.Token).ConfigureAwait(false);
    }

    public ValueTask<byte[]> ReadConfigAsync(CancellationToken cancellationToken) => readConfig(cancellationToken);
}
