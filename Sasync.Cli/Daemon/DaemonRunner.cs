using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Sasync.Cli.Commands;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using Sasync.Platform.OpenBSD;
using Sasync.Platform.OpenBSD.Control;
using Sasync.Platform.OpenBSD.Hosting;
using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Cli.Daemon;

/// <summary>
/// Runs the daemon until SIGINT or SIGTERM: loads the configuration, then runs a Generic Host with the node
/// (<c>AddSasyncd</c>, as any embedding program would) on the platform the flags choose; the host's lifetime
/// stops it on SIGINT/SIGTERM, and SIGHUP reloads the configuration.
/// </summary>
internal static class DaemonRunner
{
    public static async Task<int> RunAsync(DaemonOptions options, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (options.PrivsepChild is not null)
        {
            return await Privsep.NetworkProcess.RunAsync(options, stderr, cancellationToken).ConfigureAwait(false);
        }

        if (options.Platform == DaemonPlatform.OpenBsd)
        {
            if (!HostOs.IsOpenBsd)
            {
                await stderr.WriteLineAsync("sasyncd-cs: the OpenBSD platform needs OpenBSD; on this system run with --platform sim").ConfigureAwait(false);
                return 1;
            }

            if (RootCheck.Check() is { } notRoot)
            {
                await stderr.WriteLineAsync($"sasyncd-cs: {notRoot}").ConfigureAwait(false);
                return 1;
            }
        }

        if (options.UsesPrivsep(HostOs.IsOpenBsd))
        {
            return await Privsep.PrivilegedProcess.RunAsync(options, stderr, cancellationToken).ConfigureAwait(false);
        }

        // Read here, not by the node, so that every diagnostic is printed as FILE:LINE:COLUMN, as -n does.
        var loaded = (await DaemonCommand.LoadAsync(options, ConfigFileInspectors.ForThisSystem(), Check(options), stderr).ConfigureAwait(false)).Settings;
        if (loaded is null)
        {
            return 1;
        }

        var host = Build(options, loaded);
        try
        {
            try
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SyncNodeStartException e)
            {
                await stderr.WriteLineAsync($"sasyncd-cs: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            await ((IAsyncDisposable)host).DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The daemon's host: the node on the chosen platform, SIGHUP reloads, and the daemon's logging.</summary>
    internal static IHost Build(DaemonOptions options, SyncSettings settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "sasyncd-cs" });
        DaemonLogging.Configure(builder.Logging, options);
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        // First, so that it starts before the node and stops after it: a SIGHUP never finds the default action.
        builder.Services.AddHostedService<ReloadOnHangupService>();
        builder.Services.AddHostedService<IdleMemoryTrimService>();
        var node = builder.Services.AddSasyncd(node =>
        {
            node.ConfigPath = options.ConfigPath;
            node.Settings = settings;
            node.ConfigFileCheck = Check(options);
            node.ConfigFileInspector = ConfigFileInspectors.ForThisSystem();
            node.ControlSocketPath = options.ControlPath;
        });
        if (options.Platform == DaemonPlatform.Simulated)
        {
            node.UseSimulatedPlatform(new SimulatedPlatformOptions { InitialCarp = options.SimulatedCarp, InitialDemoteCounter = options.SimulatedDemotion, Daemons = RealDaemons(options) });
        }
        else
        {
            var defaults = new OpenBsdPlatformOptions();
            node.UseOpenBsdPlatform(new OpenBsdPlatformOptions
            {
                IsakmpdFifo = options.IsakmpdFifo ?? defaults.IsakmpdFifo,
                IkedSocket = options.IkedSocket ?? defaults.IkedSocket,
            });
        }

        return builder.Build();
    }

    /// <summary>On the simulated platform, the FIFO and socket given by flags are driven for real; the others are recorded.</summary>
    internal static ImmutableDictionary<DaemonKind, IDaemonControl> RealDaemons(DaemonOptions options)
    {
        var daemons = ImmutableDictionary<DaemonKind, IDaemonControl>.Empty;
        if (options.IsakmpdFifo is { } fifo)
        {
            daemons = daemons.Add(DaemonKind.Isakmpd, new IsakmpdFifoControl(fifo));
        }

        if (options.IkedSocket is { } socket)
        {
            daemons = daemons.Add(DaemonKind.Iked, new IkedSocketControl(socket));
        }

        return daemons;
    }

    /// <summary>The original's file rule on OpenBSD; on the simulated platform bad modes only warn.</summary>
    // The simulated platform applies the same file rule as -n, so a file refused there is refused here too.
    internal static ConfigFileCheck Check(DaemonOptions options) => ConfigFileCheck.Daemon;
}
