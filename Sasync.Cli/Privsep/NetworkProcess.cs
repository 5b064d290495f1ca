using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sasync.Cli.Commands;
using Sasync.Cli.Daemon;
using Sasync.Core.Config;
using Sasync.Core.Control;
using Sasync.Core.Hosting;
using Sasync.Core.Net;
using Sasync.Core.Platform;
using Sasync.Core.Privsep;
using Sasync.Platform.OpenBSD.PfKey;
using Sasync.Platform.OpenBSD.Privsep;

namespace Sasync.Cli.Privsep;

/// <summary>
/// The unprivileged side of a privilege-separated daemon: takes the descriptors it inherited,
/// drops to its user at once (and exits if that fails), reads the configuration through the
/// privileged process, and runs the node: peers, frames, engine, PF_KEY reads and writes, the
/// control socket. It exits when told to stop, and at once when the privileged process is gone.
/// </summary>
internal static partial class NetworkProcess
{
    public static async Task<int> RunAsync(DaemonOptions options, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!NetworkProcessSpec.TryParse(options.PrivsepChild!, out var spec))
        {
            await stderr.WriteLineAsync($"sasyncd-cs: bad --privsep-child \"{options.PrivsepChild}\"").ConfigureAwait(false);
            return 1;
        }

        // Own the descriptors first, so nothing this process does later can leak them.
        var channel = Descriptors.Adopt(spec.Channel);
        var control = Descriptors.Adopt(spec.Control);
        var listeners = spec.Listen.Select(Descriptors.Adopt).ToList();
        var simulated = options.Platform == DaemonPlatform.Simulated;
        var keysSocket = simulated ? Descriptors.Adopt(spec.Keys) : null;
        var user = options.PrivsepUser ?? PrivilegeDrop.DefaultUser;
        // Before the drop: a process that is not dumpable cannot rename itself in /proc.
        ProcessTitle.Set(privileged: false);
        string dropped;
        try
        {
            dropped = PrivilegeDrop.Drop(user);
        }
        catch (PrivilegeDropException e)
        {
            await stderr.WriteLineAsync($"sasyncd-cs: network process: cannot drop privileges: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        using var loggers = DaemonRunner.CreateLoggers(options);
        var logger = loggers.CreateLogger("sasyncd");
        LogDropped(logger, dropped);

        await using var client = new PrivsepClient(new NetworkStream(channel, ownsSocket: true));
        client.Start();
        var settings = await ReadSettingsAsync(client, options, logger, cancellationToken).ConfigureAwait(false);
        if (settings is null)
        {
            return 1;
        }

        IKeyEngine keys = keysSocket is not null
            ? new StreamKeyEngine(new NetworkStream(keysSocket, ownsSocket: true), spec.KeysPid)
            : PfKeySocket.Adopt(spec.Keys, loggers.CreateLogger("sasyncd.pfkey"));
        var platform = RemotePlatform.Create(keys, client);
        try
        {
            return await RunNodeAsync(options, spec, settings, platform, listeners, control, client, user, loggers, logger, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await keys.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<int> RunNodeAsync(
        DaemonOptions options, NetworkProcessSpec spec, SyncSettings settings, NodePlatform platform, List<Socket> listeners, Socket control,
        PrivsepClient client, string user, ILoggerFactory loggers, ILogger logger, CancellationToken cancellationToken)
    {
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
            platform,
            new SasyncFrameCodec(settings.SharedKey),
            new PeerNetworkOptions
            {
                ListenSockets = [.. listeners],
                Port = settings.Listen.Port,
                BindAddress = ListenEndpoints.BindAddress(settings.Listen),
                Peers = settings.Peers,
            },
            TimeProvider.System,
            loggers);
        var gone = false;
        await using (node.ConfigureAwait(false))
        {
            await node.StartAsync(stop.Token).ConfigureAwait(false);
            DaemonProcessInfo[] processes =
            [
                new(DaemonProcessRole.Privileged, spec.ParentPid, spec.ParentUser),
                new(DaemonProcessRole.Network, Environment.ProcessId, user),
            ];
            IControlHandler? simulation = options.Platform == DaemonPlatform.Simulated ? new RemoteSimulationHandler(client) : null;
            var server = new ControlServer(control, options.ControlPath, new NodeControlHandler(node, simulation, processes), loggers.CreateLogger("sasyncd.control"));
            server.Start();
            await using (server.ConfigureAwait(false))
            {
                LogStarted(logger, string.Join(", ", node.ListenEndPoints), settings.Peers.Length);
                var closed = client.Closed;
                try
                {
                    while (true)
                    {
                        var reload = reloads.Reader.WaitToReadAsync(stop.Token).AsTask();
                        if (await Task.WhenAny(reload, closed).ConfigureAwait(false) == closed)
                        {
                            gone = true;
                            LogParentGone(logger, await closed.ConfigureAwait(false));
                            break;
                        }

                        if (!await reload.ConfigureAwait(false))
                        {
                            break;
                        }

                        reloads.Reader.TryRead(out _);
                        await ReloadAsync(client, options, node, logger, stop.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }

                LogStopping(logger);
            }
        }

        return gone ? 1 : 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task<SyncSettings?> ReadSettingsAsync(PrivsepClient client, DaemonOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> bytes;
        try
        {
            bytes = await client.ReadConfigAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PrivsepException or IOException or InvalidDataException)
        {
            LogConfigRefused(logger, options.ConfigPath, e.Message);
            return null;
        }

        var result = Parse(bytes);
        if (result.Settings is null)
        {
            LogConfigRefused(logger, options.ConfigPath, string.Join("; ", result.Diagnostics.Where(d => d.IsError).Select(d => d.Format(options.ConfigPath))));
        }

        return result.Settings;
    }

    private static ConfigResult Parse(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes.Span);
            return ConfigParser.Parse(text.TrimStart('\uFEFF'));
        }
        catch (DecoderFallbackException)
        {
            return ConfigResult.Failed(Diagnostic.FileError("the file is not valid UTF-8"));
        }
    }

    private static async Task ReloadAsync(PrivsepClient client, DaemonOptions options, SyncNode node, ILogger logger, CancellationToken cancellationToken)
    {
        var settings = await ReadSettingsAsync(client, options, logger, cancellationToken).ConfigureAwait(false);
        if (settings is null)
        {
            return;
        }

        var needRestart = await node.ReloadAsync(settings, new SasyncFrameCodec(settings.SharedKey), cancellationToken).ConfigureAwait(false);
        LogReloaded(logger, options.ConfigPath, settings.Peers.Length);
        if (!needRestart.IsEmpty)
        {
            LogNeedsRestart(logger, string.Join(", ", needRestart));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "network process: {What}")]
    private static partial void LogDropped(ILogger logger, string what);

    [LoggerMessage(Level = LogLevel.Information, Message = "network process running, listening on {Listen}, {Peers} peer(s)")]
    private static partial void LogStarted(ILogger logger, string listen, int peers);

    [LoggerMessage(Level = LogLevel.Critical, Message = "the privileged process is gone ({Reason}); stopping")]
    private static partial void LogParentGone(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Path}: not loaded, keeping the running configuration: {Errors}")]
    private static partial void LogConfigRefused(ILogger logger, string path, string errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Path}: reloaded ({Peers} peer(s))")]
    private static partial void LogReloaded(ILogger logger, string path, int peers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "changed settings that take effect only after a restart: {Settings}")]
    private static partial void LogNeedsRestart(ILogger logger, string settings);
}
