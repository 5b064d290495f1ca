using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Sasync.Core.Config;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>
/// Runs a node on a <see cref="SimulatedNode"/>: an in-memory kernel, carp interface, demote counter and
/// IKE daemon recorder, on any OS. The control socket then also answers <c>sim.carp</c>, <c>sim.inject</c>
/// and <c>sim.dump</c>. <c>sasyncd-cs --platform sim</c> runs on it.
/// </summary>
public sealed class SimulatedPlatformProvider(SimulatedPlatformOptions? options = null) : INodePlatformProvider
{
    private readonly SimulatedPlatformOptions _options = options ?? new SimulatedPlatformOptions();
    private SimulatedNode? _host;

    /// <inheritdoc />
    public string Name => "simulated";

    /// <summary>The simulated host once the platform is open (to flip carp or write to its kernel as an IKE daemon would); null before.</summary>
    public SimulatedNode? Host => Volatile.Read(ref _host);

    /// <summary>The pid the node writes as: <see cref="SimulatedPlatformOptions.Pid"/> or the process's.</summary>
    public uint Pid => _options.Pid ?? (uint)Environment.ProcessId;

    /// <inheritdoc />
    public NodePlatformSession Open(SyncSettings settings, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var host = new SimulatedNode(_options.Kernel, settings.CarpInterface, settings.CarpGroup);
        host.Carp.Set(_options.InitialCarp);
        host.CarpGroup.Set(settings.CarpGroup, _options.InitialDemoteCounter);
        var keys = host.OpenKeyEngine(Pid);
        var daemons = ImmutableDictionary<DaemonKind, IDaemonControl>.Empty;
        foreach (var kind in Enum.GetValues<DaemonKind>())
        {
            daemons = daemons.Add(kind, _options.Daemons.TryGetValue(kind, out var real) ? real : host.DaemonControl);
        }

        Volatile.Write(ref _host, host);
        return new NodePlatformSession(new NodePlatform(keys, host.Carp, host.CarpGroup, daemons), [keys], new SimulationControlHandler(host, Pid));
    }
}
