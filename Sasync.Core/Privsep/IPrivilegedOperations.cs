using Sasync.Core.Control;
using Sasync.Core.Platform;
using Sasync.Core.Sync;

namespace Sasync.Core.Privsep;

/// <summary>
/// What the privileged process does for the network process, each on what it was configured with
/// at start (the carp group, the IKE daemons, the configuration path), never on a name it is sent.
/// </summary>
internal interface IPrivilegedOperations
{
    /// <summary>The carp interface whose link state the network process follows.</summary>
    ICarpStateSource Carp { get; }

    /// <summary>The carp interface's name, as configured.</summary>
    string CarpInterface { get; }

    /// <summary>The kernel's dump as chunks (<see cref="IKeyEngine.DumpAsync"/>).</summary>
    IAsyncEnumerable<KernelDumpChunk> DumpKernelAsync(CancellationToken cancellationToken);

    /// <summary>Changes the configured group's demote counter by <paramref name="delta"/>, +1 or -1.</summary>
    ValueTask AdjustDemotionAsync(int delta, CancellationToken cancellationToken);

    ValueTask<int> ReadDemotionAsync(CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="daemon"/> is one the configuration lets us switch.</summary>
    bool Controls(DaemonKind daemon);

    ValueTask SetDaemonActiveAsync(DaemonKind daemon, bool active, CancellationToken cancellationToken);

    /// <summary>The configuration file's bytes once it passed the file rule and parsed; throws <see cref="InvalidDataException"/> with the errors otherwise.</summary>
    ValueTask<byte[]> ReadConfigAsync(CancellationToken cancellationToken);

    /// <summary>The simulated kernel's control commands; null when the platform is real.</summary>
    IControlHandler? Simulation { get; }
}
