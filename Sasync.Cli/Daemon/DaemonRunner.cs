using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sasync.Cli.Commands;
using Sasync.Core.Config;
using Sasync.Core.Control;
using Sasync.Core.Hosting;
using Sasync.Core.Net;
using Sasync.Platform.OpenBSD;
using Sasync.Platform.OpenBSD.Logging;
using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Cli.Daemon;

/// <summary>
/// Runs the daemon until SIGINT or SIGTERM: loads the configuration, composes the platform, starts
/// the node and its control socket, and re-reads the configuration on SIGHUP.
/// </summary>
internal static partial class DaemonRunner
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

        var loaded = (await DaemonCommand.LoadAsync(options, ConfigFileInspectors.ForThisSystem(), Check(options), stderr).ConfigureAwait(false)).Settings;
        if (loaded is null)
        {
            return 1;
        }

        using var loggers = CreateLoggers(options);
        var logger = loggers.CreateLogger("sasyncd");
        DaemonPlatformParts parts;
        try
        {
            parts = DaemonPlatformFactory.Create(options, loaded, loggers);
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            LogFatal(logger, "cannot open the kernel interfaces", e.Message);
            await stderr.WriteLineAsync($"sasyncd-cs: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        try
        {
            return await RunNodeAsync(options, loaded, parts, loggers, logger, stderr, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var resource in parts.Resources)
            {
                await resource.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<int> RunNodeAsync(
        DaemonOptions options, SyncSettings settings, DaemonPlatformParts parts, ILoggerFactory loggers, ILogger logger, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!ListenEndpoints.TryResolve(settings.Listen, out var listen, out var listenError))
        {
            LogFatal(logger, "cannot listen", listenError);
            await stderr.WriteLineAsync($"sasyncd-cs: {listenError}").ConfigureAwait(false);
            return 1;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reloads = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onHangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            reloads.Writer.TryWrite(true);
        });

        var node = new SyncNode(
            settings,
            parts.Platform,
            new SasyncFrameCodec(settings.SharedKey),
            new PeerNetworkOptions
            {
                Listen = listen,
                Port = settings.Listen.Port,
                BindAddress = ListenEndpoints.BindAddress(settings.Listen),
                Peers = settings.Peers,
            },
            TimeProvider.System,
            loggers);
        await using (node.ConfigureAwait(false))
        {
            try
            {
                await node.StartAsync(stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
            {
                LogFatal(logger, "cannot start", e.Message);
                await stderr.WriteLineAsync($"sasyncd-cs: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            var control = new ControlServer(options.ControlPath, new NodeControlHandler(node, parts.ExtraControl, [new DaemonProcessInfo(DaemonProcessRole.Privileged, Environment.ProcessId, Sasync.Platform.OpenBSD.Privsep.UserAccount.CurrentName())]), loggers.CreateLogger("sasyncd.control"));
            try
            {
                control.Start();
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException)
            {
                LogFatal(logger, $"cannot open the control socket {options.ControlPath}", e.Message);
                await stderr.WriteLineAsync($"sasyncd-cs: control socket {options.ControlPath}: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            await using (control.ConfigureAwait(false))
            {
                LogStarted(logger, options.Platform == DaemonPlatform.Simulated ? "simulated" : "OpenBSD", string.Join(", ", listen), settings.Peers.Length);
                try
                {
                    while (await reloads.Reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
                    {
                        reloads.Reader.TryRead(out _);
                        await ReloadAsync(options, node, logger, stop.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }

                LogStopping(logger);
            }
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task ReloadAsync(DaemonOptions options, SyncNode node, ILogger logger, CancellationToken cancellationToken)
    {
        var result = Load(options);
        if (!result.IsValid || result.Settings is null)
        {
            LogReloadRefused(logger, options.ConfigPath, string.Join("; ", result.Diagnostics.Where(d => d.IsError).Select(d => d.Format(options.ConfigPath))));
            return;
        }

        var settings = result.Settings;
        var needRestart = await node.ReloadAsync(settings, new SasyncFrameCodec(settings.SharedKey), cancellationToken).ConfigureAwait(false);
        LogReloaded(logger, options.ConfigPath, settings.Peers.Length);
        if (!needRestart.IsEmpty)
        {
            LogNeedsRestart(logger, string.Join(", ", needRestart));
        }
    }

    private static ConfigResult Load(DaemonOptions options) =>
        ConfigFile.Load(options.ConfigPath, ConfigFileInspectors.ForThisSystem(), Check(options));

    /// <summary>The original's file rule on OpenBSD; on the simulated platform bad modes only warn.</summary>
    internal static ConfigFileCheck Check(DaemonOptions options) =>
        options.Platform == DaemonPlatform.OpenBsd ? ConfigFileCheck.Daemon : ConfigFileCheck.Repository;

    /// <summary>With <c>-d</c> log to stderr, otherwise to syslog (daemon facility), at the level the <c>-v</c> flags ask for.</summary>
    internal static ILoggerFactory CreateLoggers(DaemonOptions options) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(Verbosity.MinimumLevel(options.Verbosity));
        if (options.Foreground)
        {
            builder.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        else
        {
            builder.AddProvider(new SyslogLoggerProvider());
        }
    });

    [LoggerMessage(Level = LogLevel.Critical, Message = "{What}: {Reason}")]
    private static partial void LogFatal(ILogger logger, string what, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "running on the {Platform} platform, listening on {Listen}, {Peers} peer(s)")]
    private static partial void LogStarted(ILogger logger, string platform, string listen, int peers);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Path}: not reloaded, keeping the running configuration: {Errors}")]
    private static partial void LogReloadRefused(ILogger logger, string path, string errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Path}: reloaded ({Peers} peer(s))")]
    private static partial void LogReloaded(ILogger logger, string path, int peers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "changed settings that take effect only after a restart: {Settings}")]
    private static partial void LogNeedsRestart(ILogger logger, string settings);
}
