using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sasync.Core.Config;
using Sasync.Core.Control;
using Sasync.Core.Net;

namespace Sasync.Core.Hosting;

/// <summary>
/// Runs one <see cref="SyncNode"/> inside a .NET host: on start it reads the configuration, opens the
/// platform, listens, starts the node, its control socket and its <c>Sasync</c> meter; on stop it stops
/// the node (a carp demotion still held is given back). Register it with <c>services.AddSasyncd(…)</c>;
/// sasyncd-cs itself runs this way. A failed start throws <see cref="SyncNodeStartException"/>.
/// </summary>
public sealed partial class SyncNodeService : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly SyncNodeOptions _options;
    private readonly INodePlatformProvider? _platform;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    // One start, stop or reload at a time: a SIGHUP while stopping must not touch a disposed node.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NodePlatformSession? _session;
    private SyncNode? _node;
    private ControlServer? _control;
    private SyncNodeMetrics? _metrics;
    private int _disposed;

    /// <summary>A service for <paramref name="options"/> on <paramref name="platform"/>.</summary>
    /// <param name="options">What to run.</param>
    /// <param name="platform">The OpenBSD or the simulated platform; null fails the start with a message that says so.</param>
    /// <param name="loggers">Where the node logs (categories <c>sasyncd</c>, <c>sasyncd.net</c>, …).</param>
    /// <param name="time">The clock for the node's timers; the system clock when null.</param>
    public SyncNodeService(IOptions<SyncNodeOptions> options, INodePlatformProvider? platform, ILoggerFactory? loggers = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _platform = platform;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger("sasyncd");
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The running node, or null before the start and after the stop.</summary>
    public SyncNode? Node => Volatile.Read(ref _node);

    /// <summary>The opened platform (the simulated kernel can be reached through <see cref="SimulatedPlatformProvider"/>), or null when not running.</summary>
    public NodePlatformSession? Platform => Volatile.Read(ref _session);

    /// <summary>The running node's instruments on the <c>Sasync</c> meter, or null when not running.</summary>
    public SyncNodeMetrics? Metrics => Volatile.Read(ref _metrics);

    /// <summary>The settings the node runs, after the last applied reload; null when not running.</summary>
    public SyncSettings? Settings { get; private set; }

    /// <summary>Where the node listens for peers; empty when not running.</summary>
    public ImmutableArray<IPEndPoint> ListenEndPoints => Node?.ListenEndPoints ?? [];

    /// <summary>Starts the node as described in the class summary.</summary>
    /// <exception cref="SyncNodeStartException">The configuration is invalid or something cannot be opened; nothing is left running.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_node is not null)
            {
                throw new InvalidOperationException("the node is already running");
            }

            try
            {
                await StartLockedAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await StopLockedAsync().ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StartLockedAsync(CancellationToken cancellationToken)
    {
        var settings = _options.Settings ?? await LoadInitialSettingsAsync(cancellationToken).ConfigureAwait(false);
        if (_platform is null)
        {
            throw Fatal("no platform", "no platform to run on: call UseSimulatedPlatform() or UseOpenBsdPlatform() after AddSasyncd()");
        }

        try
        {
            _session = _platform.Open(settings, _loggers);
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            throw Fatal("cannot open the kernel interfaces", e.Message, e);
        }

        ImmutableArray<IPEndPoint> listen;
        if (_options.ListenEndPoints is { } overridden)
        {
            listen = overridden;
        }
        else if (!ListenEndpoints.TryResolve(settings.Listen, out listen, out var listenError))
        {
            throw Fatal("cannot listen", listenError);
        }

        var node = new SyncNode(
            settings,
            _session.Platform,
            new SasyncFrameCodec(settings.SharedKey, channel: settings.Channel),
            new PeerNetworkOptions
            {
                Listen = listen,
                Port = settings.Listen.Port,
                BindAddress = _options.ListenEndPoints is { } given ? BindAddressOf(given) : ListenEndpoints.BindAddress(settings.Listen),
                Peers = settings.Peers,
                ListenSockets = _options.ListenSockets,
            },
            _time,
            _loggers);
        Volatile.Write(ref _node, node);
        try
        {
            await node.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or ListenFailedException)
        {
            throw Fatal("cannot start", e.Message, e);
        }

        if (_options.ControlSocketPath is { } path)
        {
            var processes = _options.Processes ?? [new DaemonProcessInfo(DaemonProcessRole.Privileged, Environment.ProcessId, Environment.UserName)];
            var handler = new NodeControlHandler(node, _session.Control, processes);
            var control = _options.ControlListener is { } listener
                ? new ControlServer(listener, path, handler, _loggers.CreateLogger("sasyncd.control"))
                : new ControlServer(path, handler, _loggers.CreateLogger("sasyncd.control"));
            try
            {
                control.Start();
            }
            catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
            {
                await control.DisposeAsync().ConfigureAwait(false);
                LogFatal(_logger, $"cannot open the control socket {path}", e.Message);
                throw new SyncNodeStartException($"control socket {path}: {e.Message}", e);
            }

            _control = control;
        }

        _metrics = new SyncNodeMetrics(node.GetStatusAsync);
        Settings = settings;
        LogStarted(_logger, _platform.Name, string.Join(", ", node.ListenEndPoints), settings.Peers.Length);
    }

    /// <summary>Dial peers from the one address listened on, so they see the address they expect; none for a wildcard.</summary>
    private static IPAddress? BindAddressOf(ImmutableArray<IPEndPoint> listen) =>
        listen is [var only] && !only.Address.Equals(IPAddress.Any) && !only.Address.Equals(IPAddress.IPv6Any) ? only.Address : null;

    private async Task<SyncSettings> LoadInitialSettingsAsync(CancellationToken cancellationToken)
    {
        if (_options.ConfigPath is not { } path)
        {
            throw Fatal("no configuration", "no configuration: set ConfigPath or Settings in AddSasyncd()");
        }

        var result = await LoadAsync(path, cancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in result.Diagnostics.Where(d => !d.IsError))
        {
            LogConfigWarning(_logger, diagnostic.Format(path));
        }

        if (result.Settings is null)
        {
            var errors = result.Diagnostics.Where(d => d.IsError).Select(d => d.Format(path)).ToList();
            LogFatal(_logger, "invalid configuration", string.Join("; ", errors));
            throw new SyncNodeStartException(string.Join("\n", errors), result.Diagnostics);
        }

        return result.Settings;
    }

    // With the file rule, examined and read off the caller's thread with a timeout: a FIFO swapped in for the
    // file can never hold up a start or a SIGHUP.
    private Task<ConfigResult> LoadAsync(string path, CancellationToken cancellationToken) =>
        _options.ConfigFileCheck is { } check && _options.ConfigFileInspector is { } inspector
            ? ConfigFile.LoadAsync(path, inspector, check, cancellationToken: cancellationToken)
            : Task.FromResult(ConfigFile.Load(path));

    private SyncNodeStartException Fatal(string what, string reason, Exception? inner = null)
    {
        LogFatal(_logger, what, reason);
        return inner is null ? new SyncNodeStartException(reason) : new SyncNodeStartException(reason, inner);
    }

    /// <summary>
    /// Reads <see cref="SyncNodeOptions.ConfigPath"/> again and applies it as SIGHUP does: new peers and a new
    /// shared key without touching the kernel. A file with errors changes nothing; both outcomes are logged.
    /// </summary>
    /// <exception cref="InvalidOperationException">The node is not running, or no <see cref="SyncNodeOptions.ConfigPath"/> was given.</exception>
    public async Task<ReloadOutcome> ReloadAsync(CancellationToken cancellationToken)
    {
        var path = _options.ConfigPath ?? throw new InvalidOperationException("no ConfigPath to reload from");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await LoadAsync(path, cancellationToken).ConfigureAwait(false);
            if (result.Settings is null)
            {
                LogReloadRefused(_logger, path, string.Join("; ", result.Diagnostics.Where(d => d.IsError).Select(d => d.Format(path))));
                return new ReloadOutcome(false, result.Diagnostics, []);
            }

            return await ApplyLockedAsync(result.Settings, path, result.Diagnostics, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Applies <paramref name="settings"/> as a reload does, for hosts that keep their configuration elsewhere.</summary>
    /// <exception cref="InvalidOperationException">The node is not running.</exception>
    public async Task<ReloadOutcome> ReloadAsync(SyncSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ApplyLockedAsync(settings, "the given settings", [], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ReloadOutcome> ApplyLockedAsync(SyncSettings settings, string source, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var node = _node ?? throw new InvalidOperationException("the node is not running");
        var needRestart = await node.ReloadAsync(settings, new SasyncFrameCodec(settings.SharedKey, channel: settings.Channel), cancellationToken).ConfigureAwait(false);
        Settings = Settings! with { Peers = settings.Peers, SharedKey = settings.SharedKey };
        LogReloaded(_logger, source, settings.Peers.Length);
        if (!needRestart.IsEmpty)
        {
            LogNeedsRestart(_logger, string.Join(", ", needRestart));
        }

        return new ReloadOutcome(true, diagnostics, needRestart);
    }

    /// <summary>The running node's status, as <c>status --json</c> shows it.</summary>
    /// <exception cref="InvalidOperationException">The node is not running.</exception>
    public async Task<NodeStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var status = await (Node ?? throw new InvalidOperationException("the node is not running")).GetStatusAsync(cancellationToken).ConfigureAwait(false);
        // The meter reports this one too when its own request finds the node too busy to answer in time.
        Metrics?.Remember(status);
        return status;
    }

    /// <summary>Stops the control socket, the meter and the node, and closes the platform.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Not cancellable: a stop half done would leave the carp group demoted.
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_node is not null)
            {
                LogStopping(_logger);
            }

            await StopLockedAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StopLockedAsync()
    {
        _metrics?.Dispose();
        _metrics = null;
        if (_control is { } control)
        {
            _control = null;
            await control.DisposeAsync().ConfigureAwait(false);
        }

        if (_node is { } node)
        {
            Volatile.Write(ref _node, null);
            await node.DisposeAsync().ConfigureAwait(false);
        }

        if (_session is { } session)
        {
            Volatile.Write(ref _session, null);
            await session.DisposeAsync().ConfigureAwait(false);
        }

        Settings = null;
    }

    /// <summary>Stops what still runs; for containers disposed synchronously (<see cref="DisposeAsync"/> is better).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Stops what still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "{What}: {Reason}")]
    private static partial void LogFatal(ILogger logger, string what, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Diagnostic}")]
    private static partial void LogConfigWarning(ILogger logger, string diagnostic);

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
