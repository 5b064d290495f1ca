using System.Collections.Immutable;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>How <see cref="SimulatedPlatformProvider"/> sets up the simulated host a node runs on.</summary>
public sealed record SimulatedPlatformOptions
{
    /// <summary>The simulated carp interface's state at start.</summary>
    public CarpState InitialCarp { get; init; } = CarpState.Backup;

    /// <summary>The carp group's demote counter at start, as the boot sequence leaves it; above 0 the node holds it until in sync.</summary>
    public int InitialDemoteCounter { get; init; }

    /// <summary>The simulated kernel's settings; by default its socket queues are big enough for any snapshot.</summary>
    public SimulatedKernelOptions Kernel { get; init; } = new() { ClientQueueCapacity = 1 << 20 };

    /// <summary>The pid the node's PF_KEY client writes as (and that <c>sim.inject</c> may not use); the process's by default.</summary>
    public uint? Pid { get; init; }

    /// <summary>Real daemon controls to use instead of the recorder (e.g. a real isakmpd FIFO); the others are recorded.</summary>
    public ImmutableDictionary<DaemonKind, IDaemonControl> Daemons { get; init; } = ImmutableDictionary<DaemonKind, IDaemonControl>.Empty;
}
