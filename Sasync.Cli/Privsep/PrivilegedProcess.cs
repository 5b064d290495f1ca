using System.Collections.Immutable;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Sasync.Cli.Commands;
using Sasync.Cli.Daemon;
using Sasync.Core.Config;
using Sasync.Core.Control;
using Sasync.Core.Hosting;
using Sasync.Core.Net;
using Sasync.Core.Platform;
using Sasync.Core.Privsep;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;
using Sasync.Platform.OpenBSD;
using Sasync.Platform.OpenBSD.Carp;
using Sasync.Platform.OpenBSD.Control;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Platform.OpenBSD.PfKey;
using Sasync.Platform.OpenBSD.Privsep;

namespace Sasync.Cli.Privsep;

/// <summary>
/// The privileged side of a privilege-separated daemon, as the original's monitor: opens what
/// needs root (kernel interfaces, peer listeners, control socket), starts the network process with
/// them, serves its requests, forwards SIGTERM, SIGINT and SIGHUP to it, and when it is gone gives
/// back the demotion it held and exits (non-zero unless it was told to stop and the child stopped cleanly).
/// </summary>
internal static partial class PrivilegedProcess
{
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(DaemonOptions options, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (RootCheck.Check() is not null)
        {
            await stderr.WriteLineAsync("sasyncd-cs: privilege separation needs root (it drops to an unprivileged user)").ConfigureAwait(false);
            return 1;
        }

        var user = options.PrivsepUser ?? PrivilegeDrop.DefaultUser;
        if (UserAccount.Find(user) is not { Uid: not 0 })
        {
            await stderr.WriteLineAsync($"sasyncd-cs: privilege separation: no unprivileged user \"{user}\" (set one with --privsep-user)").ConfigureAwait(false);
            return 1;
        }

        var inspector = ConfigFileInspectors.ForThisSystem();
        var check = DaemonRunner.Check(options);
        var settings = (await DaemonCommand.LoadAsync(options, inspector, check, stderr).ConfigureAwait(false)).Settings;
        if (settings is null)
        {
            return 1;
        }

        using var loggers = LoggerFactory.Create(builder => DaemonLogging.Configure(builder, options));
        var logger = loggers.CreateLogger("sasyncd.priv");
        if (!ListenEndpoints.TryResolve(settings.Listen, out var listen, out var listenError))
        {
            return await FatalAsync(logger, stderr, "cannot listen", listenError).ConfigureAwait(false);
        }

        var opened = new List<IDisposable>();
        try
        {
            return await RunOpenedAsync(options, settings, user, listen, opened, loggers, logger, stderr, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException or PlatformNotSupportedException or KeyEngineException or InvalidOperationException
            or System.ComponentModel.Win32Exception)
        {
            return await FatalAsync(logger, stderr, "cannot start", e.Message).ConfigureAwait(false);
        }
        finally
        {
            foreach (var resource in opened)
            {
                resource.Dispose();
            }
        }
    }

    private static async Task<int> RunOpenedAsync(
        DaemonOptions options, SyncSettings settings, string user, ImmutableArray<System.Net.IPEndPoint> listen, List<IDisposable> opened,
        ILoggerFactory loggers, ILogger logger, TextWriter stderr, CancellationToken cancellationToken)
    {
        var pid = (uint)Environment.ProcessId;
        var simulated = options.Platform == DaemonPlatform.Simulated;

        // What needs root, opened before the network process exists.
        var (channel, channelChild) = SocketPair.Create();
        opened.Add(channel);
        opened.Add(channelChild);
        Socket? keysParent = null;
        int keysChild;
        SimulatedNode? host = null;
        IKeyEngine? simulatedKeys = null;
        PrivilegedPlatform platform;
        if (simulated)
        {
            host = new SimulatedNode(new SimulatedPlatformOptions().Kernel, settings.CarpInterface, settings.CarpGroup);
            host.Carp.Set(options.SimulatedCarp);
            host.CarpGroup.Set(settings.CarpGroup, options.SimulatedDemotion);
            simulatedKeys = host.OpenKeyEngine(pid);
            var pair = SocketPair.Create();
            keysParent = pair.Parent;
            opened.Add(pair.Parent);
            opened.Add(pair.Child);
            keysChild = Descriptors.Of(pair.Child);
            platform = new PrivilegedPlatform(simulatedKeys.DumpAsync, host.Carp, host.CarpGroup, Daemons(options, host.DaemonControl));
        }
        else
        {
            var native = LibcNative.Instance;
            keysChild = PfKeySocket.OpenDescriptor(native);
            opened.Add(new DescriptorOwner(keysChild));
            var demoter = GroupCarpDemoter.Create(loggers.CreateLogger("sasyncd.carp"));
            platform = new PrivilegedPlatform(
                token => PfKeySocket.DumpBySysctlAsync(native, token),
                RoutingSocketCarpSource.Create(loggers.CreateLogger("sasyncd.carp")),
                demoter,
                Daemons(options, recorder: null));
        }

        var listeners = PeerListeners.Bind(new PeerNetworkOptions { Listen = listen, Port = settings.Listen.Port });
        opened.AddRange(listeners);
        var control = ControlServer.Bind(options.ControlPath, new ControlServerOptions().Backlog);
        opened.Add(control);
        opened.Add(new FileRemover(options.ControlPath));

        var spec = new NetworkProcessSpec(
            Descriptors.Of(channelChild), keysChild, Descriptors.Of(control), [.. listeners.Select(Descriptors.Of)], pid, Environment.ProcessId, Environment.UserName);
        var inherited = new List<int> { spec.Channel, spec.Keys, spec.Control };
        inherited.AddRange(spec.Listen);
        using var child = NetworkProcessLauncher.Start(ChildArguments(options, user, spec), inherited);

        // Our copies of what the child holds now: closing them lets us see its end of the channel go.
        channelChild.Dispose();
        foreach (var socket in listeners)
        {
            socket.Dispose();
        }

        // The control socket stays open here too, unused: disposing a bound Unix socket in .NET
        // removes its file, which the network process still serves.
        if (!simulated)
        {
            Descriptors.Close(keysChild);
        }

        ProcessTitle.Set(privileged: true);
        LogStarted(logger, child.Id, user);

        var operations = new PlatformPrivilegedOperations(
            settings,
            platform,
            token => ReadConfigAsync(options, token),
            host is null ? null : new SimulationControlHandler(host, pid));
        var server = new PrivilegedServer(operations, logger);
        var stopping = 0;
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Forward(Signals.Interrupt, stop: true));
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Forward(Signals.Terminate, stop: true));
        using var onHangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Forward(Signals.Hangup, stop: false));

        await using var channelStream = new NetworkStream(channel, ownsSocket: false);
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var serverRun = server.RunAsync(channelStream, serving.Token);
        Task keyStream = Task.CompletedTask;
        NetworkStream? keysStream = null;
        if (keysParent is not null && simulatedKeys is not null)
        {
            keysStream = new NetworkStream(keysParent, ownsSocket: false);
            keyStream = new KeyStreamHost(keysStream, simulatedKeys, SimulatedKernel.MaxMessageSize).RunAsync(serving.Token);
        }

        // Either end going is the network process going: its channel closes when it dies.
        var exited = child.WaitForExitAsync(CancellationToken.None);
        var first = await Task.WhenAny(exited, serverRun).ConfigureAwait(false);
        var broken = first == serverRun ? await serverRun.ConfigureAwait(false) : null;
        if (broken is not null)
        {
            // A network process that breaks the protocol is not trusted to stop by itself.
            Signals.Send(child.Id, Signals.Kill);
        }

        using (var patience = new CancellationTokenSource(StopPatience))
        {
            try
            {
                await exited.WaitAsync(patience.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Signals.Send(child.Id, Signals.Kill);
                await exited.ConfigureAwait(false);
            }
        }

        await serving.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(serverRun, keyStream).ConfigureAwait(false);
        if (keysStream is not null)
        {
            await keysStream.DisposeAsync().ConfigureAwait(false);
        }

        var held = server.HeldDemotion;
        if (held > 0)
        {
            try
            {
                await platform.Demoter.AdjustAsync(settings.CarpGroup, -held, CancellationToken.None).ConfigureAwait(false);
                var now = await platform.Demoter.ReadAsync(settings.CarpGroup, CancellationToken.None).ConfigureAwait(false);
                LogGaveBack(logger, held, settings.CarpGroup, now);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFatal(logger, $"cannot give back the demotion of group {settings.CarpGroup}", e.Message);
            }
        }

        var clean = Volatile.Read(ref stopping) == 1 && child.ExitCode == 0 && broken is null;
        LogChildGone(logger, child.Id, Describe(child.ExitCode), clean ? "stopping" : "exiting with an error");
        if (simulatedKeys is not null)
        {
            await simulatedKeys.DisposeAsync().ConfigureAwait(false);
        }

        return clean ? 0 : 1;

        Action<PosixSignalContext> Forward(int signal, bool stop) => context =>
        {
            context.Cancel = true;
            if (stop)
            {
                Volatile.Write(ref stopping, 1);
            }

            Signals.Send(child.Id, signal);
        };
    }

    /// <summary>isakmpd's FIFO and iked's socket at the given or default paths; on the simulated platform a recorder unless a path is given.</summary>
    private static ImmutableDictionary<DaemonKind, IDaemonControl> Daemons(DaemonOptions options, IDaemonControl? recorder)
    {
        var real = DaemonRunner.RealDaemons(options);
        return ImmutableDictionary<DaemonKind, IDaemonControl>.Empty
            .Add(DaemonKind.Isakmpd, real.GetValueOrDefault(DaemonKind.Isakmpd) ?? recorder ?? new IsakmpdFifoControl())
            .Add(DaemonKind.Iked, real.GetValueOrDefault(DaemonKind.Iked) ?? recorder ?? new IkedSocketControl());
    }

    /// <summary>The daemon's own flags, with the user and the descriptors; the configuration comes over the channel.</summary>
    private static List<string> ChildArguments(DaemonOptions options, string user, NetworkProcessSpec spec)
    {
        var arguments = new List<string>();
        if (options.Foreground)
        {
            arguments.Add("-d");
        }

        arguments.AddRange(Enumerable.Repeat("-v", options.Verbosity));
        arguments.AddRange(["-c", options.ConfigPath, "--platform", options.Platform == DaemonPlatform.Simulated ? "sim" : "openbsd",
            "--control", options.ControlPath, "--privsep-user", user, "--privsep-child", spec.Format()]);
        return arguments;
    }

    /// <summary>The configuration file under the daemon's file rule, read as root; its errors when it has any.</summary>
    private static ValueTask<byte[]> ReadConfigAsync(DaemonOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = ConfigFile.Load(options.ConfigPath, ConfigFileInspectors.ForThisSystem(), DaemonRunner.Check(options));
        if (!result.IsValid)
        {
            throw new InvalidDataException(string.Join("; ", result.Diagnostics.Where(d => d.IsError).Select(d => d.Format(options.ConfigPath))));
        }

        var bytes = File.ReadAllBytes(options.ConfigPath);
        return bytes.Length <= ConfigFile.MaxBytes
            ? new ValueTask<byte[]>(bytes)
            : throw new InvalidDataException($"{options.ConfigPath} is larger than {ConfigFile.MaxBytes} bytes");
    }

    private const int SigAbrt = 6;

    private static string Describe(int exitCode) => exitCode switch
    {
        // What pledge(2) does to a process that makes a call its promises do not cover.
        128 + SigAbrt when HostOs.IsOpenBsd => "killed by signal 6, SIGABRT: on OpenBSD most likely a pledge(2) violation, " +
            "which the kernel logs with the system call (dmesg); --no-privsep runs without privilege separation",
        > 128 => $"killed by signal {exitCode - 128}",
        _ => $"exit status {exitCode}",
    };

    private static async Task<int> FatalAsync(ILogger logger, TextWriter stderr, string what, string reason)
    {
        LogFatal(logger, what, reason);
        await stderr.WriteLineAsync($"sasyncd-cs: {what}: {reason}").ConfigureAwait(false);
        return 1;
    }

    /// <summary>A raw descriptor closed on dispose (the PF_KEY socket until it is handed on).</summary>
    private sealed class DescriptorOwner(int fd) : IDisposable
    {
        private int _fd = fd;

        public void Dispose()
        {
            var fd = Interlocked.Exchange(ref _fd, -1);
            if (fd >= 0)
            {
                Descriptors.Close(fd);
            }
        }
    }

    /// <summary>Removes the control socket's file at exit: the network process cannot (it is not root).</summary>
    private sealed class FileRemover(string path) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "{What}: {Reason}")]
    private static partial void LogFatal(ILogger logger, string what, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "privilege separation: network process {Pid} started as {User}")]
    private static partial void LogStarted(ILogger logger, int pid, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "gave back {Held} demotion(s) of carp group {Group} held by the network process (demote counter now {Counter})")]
    private static partial void LogGaveBack(ILogger logger, int held, string group, int counter);

    [LoggerMessage(Level = LogLevel.Information, Message = "network process {Pid} is gone ({How}); {What}")]
    private static partial void LogChildGone(ILogger logger, int pid, string how, string what);
}
