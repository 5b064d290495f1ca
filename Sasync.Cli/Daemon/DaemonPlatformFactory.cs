using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Sasync.Cli.Commands;
using Sasync.Core.Config;
using Sasync.Core.Control;
using Sasync.Core.Hosting;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;
using Sasync.Platform.OpenBSD.Carp;
using Sasync.Platform.OpenBSD.Control;
using Sasync.Platform.OpenBSD.PfKey;

namespace Sasync.Cli.Daemon;

/// <summary>What the daemon runs on: the platform for the node, what to dispose at exit, and extra control commands.</summary>
internal sealed record DaemonPlatformParts(NodePlatform Platform, IReadOnlyList<IAsyncDisposable> Resources, IControlHandler? ExtraControl);

/// <summary>Builds the node's platform for <c>--platform openbsd</c> or <c>--platform sim</c>.</summary>
internal static class DaemonPlatformFactory
{
    public static DaemonPlatformParts Create(DaemonOptions options, SyncSettings settings, ILoggerFactory loggers) =>
        options.Platform == DaemonPlatform.Simulated ? CreateSimulated(options, settings) : CreateOpenBsd(options, loggers);

    private static DaemonPlatformParts CreateOpenBsd(DaemonOptions options, ILoggerFactory loggers)
    {
        var keys = PfKeySocket.Open(loggers.CreateLogger("sasyncd.pfkey"));
        var demoter = GroupCarpDemoter.Create(loggers.CreateLogger("sasyncd.carp"));
        var platform = new NodePlatform(
            keys,
            RoutingSocketCarpSource.Create(loggers.CreateLogger("sasyncd.carp")),
            demoter,
            Daemons(options, fallback: null));
        return new DaemonPlatformParts(platform, [keys, demoter], null);
    }

    private static DaemonPlatformParts CreateSimulated(DaemonOptions options, SyncSettings settings)
    {
        // Big queues: a simulated kernel has no socket buffer limit worth imitating here.
        var host = new SimulatedNode(new SimulatedKernelOptions { ClientQueueCapacity = 1 << 20 }, settings.CarpInterface, settings.CarpGroup);
        host.Carp.Set(options.SimulatedCarp);
        host.CarpGroup.Set(settings.CarpGroup, options.SimulatedDemotion);
        var pid = (uint)Environment.ProcessId;
        var keys = host.OpenKeyEngine(pid);
        var platform = new NodePlatform(keys, host.Carp, host.CarpGroup, Daemons(options, host.DaemonControl));
        return new DaemonPlatformParts(platform, [keys], new SimulationControlHandler(host, pid));
    }

    /// <summary>isakmpd's FIFO and iked's socket, at the given or default paths; on the simulated platform only when a path is given.</summary>
    internal static ImmutableDictionary<DaemonKind, IDaemonControl> Daemons(DaemonOptions options, IDaemonControl? fallback)
    {
        IDaemonControl isakmpd = options.IsakmpdFifo is { } fifo ? new IsakmpdFifoControl(fifo)
            : fallback ?? new IsakmpdFifoControl();
        IDaemonControl iked = options.IkedSocket is { } socket ? new IkedSocketControl(socket)
            : fallback ?? new IkedSocketControl();
        return ImmutableDictionary<DaemonKind, IDaemonControl>.Empty
            .Add(DaemonKind.Isakmpd, isakmpd)
            .Add(DaemonKind.Iked, iked);
    }
}
