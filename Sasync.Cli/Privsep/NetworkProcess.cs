using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sasync.Cli.Commands;
using Sasync.Cli.Daemon;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Platform;
using Sasync.Core.Privsep;
using Sasync.Platform.OpenBSD.PfKey;
using Sasync.Platform.OpenBSD.Privsep;

namespace Sasync.Cli.Privsep;

/// <summary>
/// The unprivileged side of a privilege-separated daemon: takes the descriptors it inherited,
/// drops to its user at once (and exits if that fails), reads the configuration through the
/// privileged process, and runs the node in a host as the daemon does (<c>AddSasyncd</c>) on the
/// descriptors it was handed: peers, frames, engine, PF_KEY reads and writes, the control socket.
/// It stops on SIGTERM/SIGINT, and at once, exiting 1, when the privileged process is gone.
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

        using var loggers = LoggerFactory.Create(builder => DaemonLogging.Configure(builder, options));
        var logger = loggers.CreateLogger("sasyncd");
        LogDropped(logger, dropped);

        await using var client = new PrivsepClient(new NetworkStream(channel, ownsSocket: true));
        client.Start();
        var settings = await ReadSettingsAsync(client, options.ConfigPath, logger, cancellationToken).ConfigureAwait(false);
        if (settings is null)
        {
            return 1;
        }

        IKeyEngine keys = keysSocket is not null
            ? new StreamKeyEngine(new NetworkStream(keysSocket, ownsSocket: true), spec.KeysPid)
            : PfKeySocket.Adopt(spec.Keys, loggers.CreateLogger("sasyncd.pfkey"));
        DaemonProcessInfo[] processes =
        [
            new(DaemonProcessRole.Privileged, spec.ParentPid, spec.ParentUser),
            new(DaemonProcessRole.Network, Environment.ProcessId, user),
        ];

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "sasyncd-cs" });
        DaemonLogging.Configure(builder.Logging, options);
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        builder.Services.AddSingleton(client);
        // Before the node, as in the daemon: a SIGHUP never finds the default action. The file is read through
        // the privileged process, parsed here; a file with errors keeps the running configuration.
        builder.Services.AddHostedService(services => new ReloadOnHangupService(async cancellationToken =>
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("sasyncd");
            if (await ReadSettingsAsync(client, options.ConfigPath, logger, cancellationToken).ConfigureAwait(false) is { } reloaded)
            {
                await services.GetRequiredService<SyncNodeService>().ReloadAsync(reloaded, cancellationToken).ConfigureAwait(false);
            }
        }));
        builder.Services.AddSasyncd(node =>
        {
            node.Settings = settings;
            node.ControlSocketPath = options.ControlPath;
            node.ControlListener = control;
            node.ListenSockets = [.. listeners];
            node.Processes = processes;
        }).UsePlatform(new NetworkPlatformProvider(keys, client, simulated));
        builder.Services.AddSingleton<PrivilegedProcessWatch>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<PrivilegedProcessWatch>());

        var host = builder.Build();
        try
        {
            try
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SyncNodeStartException e)
            {
                await stderr.WriteLineAsync($"sasyncd-cs: network process: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return host.Services.GetRequiredService<PrivilegedProcessWatch>().PrivilegedProcessGone ? 1 : 0;
        }
        finally
        {
            await ((IAsyncDisposable)host).DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The configuration, read by the privileged process (this one may not open it) and parsed here.</summary>
    internal static async Task<SyncSettings?> ReadSettingsAsync(PrivsepClient client, string path, ILogger logger, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> bytes;
        try
        {
            bytes = await client.ReadConfigAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PrivsepException or IOException or InvalidDataException)
        {
            LogConfigRefused(logger, path, e.Message);
            return null;
        }

        ConfigResult result;
        try
        {
            var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes.Span);
            result = ConfigParser.Parse(text.TrimStart('\uFEFF'));
        }
        catch (DecoderFallbackException)
        {
            result = ConfigResult.Failed(Diagnostic.FileError("the file is not valid UTF-8"));
        }

        if (result.Settings is null)
        {
            LogConfigRefused(logger, path, string.Join("; ", result.Diagnostics.Where(d => d.IsError).Select(d => d.Format(path))));
        }

        return result.Settings;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "network process: {What}")]
    private static partial void LogDropped(ILogger logger, string what);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Path}: not loaded, keeping the running configuration: {Errors}")]
    private static partial void LogConfigRefused(ILogger logger, string path, string errors);
}

/// <summary>Where a reload reads the configuration: through the privileged process.</summary>

/// <summary>The network process's platform: the handed PF_KEY socket, and the privileged process for the rest.</summary>
internal sealed class NetworkPlatformProvider(IKeyEngine keys, PrivsepClient client, bool simulated) : INodePlatformProvider
{
    public string Name => simulated ? "simulated, privilege-separated" : "OpenBSD, privilege-separated";

    public NodePlatformSession Open(SyncSettings settings, ILoggerFactory loggers) =>
        new(RemotePlatform.Create(keys, client), [keys], simulated ? new RemoteSimulationHandler(client) : null);
}
