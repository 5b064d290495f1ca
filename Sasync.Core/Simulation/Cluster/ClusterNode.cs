using System.Collections.Immutable;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Net;
using Sasync.Core.Platform;
using Sasync.Core.Sync;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// One gateway of a simulated cluster: its host (kernel, carp, demote counter, IKE daemon control),
/// its sasyncd process (or the original's model) over the in-memory network, and its IKE daemon's
/// PF_KEY socket. The faults a scenario injects are methods here.
/// </summary>
internal sealed class ClusterNode
{
    public const string CarpInterface = "carp0";
    public const string CarpGroup = "carp";

    private readonly ClusterContext _context;
    private readonly ImmutableArray<string> _peers;
    private SimulatedProcess? _process;
    private SimulatedKeyClient? _daemonSocket;
    private IFrameCodecFactory _codec;
    private ISimulatedShell? _shell;
    private bool _kernelReadPosted;
    private SyncSettings? _settings;
    private int _incarnation;

    public ClusterNode(int index, NodeKind kind, ClusterContext context, ImmutableArray<string> peers, SharedKey key)
    {
        ArgumentNullException.ThrowIfNull(context);
        Index = index;
        Kind = kind;
        _context = context;
        _peers = peers;
        Key = key;
        _codec = new SasyncFrameCodec(key);
        Clock = new VirtualTimeProvider(context.Scheduler);
        Host = NewHost();
        IkeSocket = Host.OpenKeyEngine(IkePid);
        Name = kind == NodeKind.Original ? $"orig{index}" : $"node{index}";
    }

    public int Index { get; }

    /// <summary>This host's clocks: the wall clock can be stepped (<see cref="StepWallClock"/>).</summary>
    public VirtualTimeProvider Clock { get; }

    public NodeKind Kind { get; }

    public string Name { get; }

    public string Address => AddressOf(Index);

    public static string AddressOf(int index) => $"127.0.0.{index}";

    public uint DaemonPid => 1000u + (uint)Index;

    public uint IkePid => 2000u + (uint)Index;

    /// <summary>The simulated operating system; a reboot replaces it.</summary>
    public SimulatedNode Host { get; private set; }

    /// <summary>The IKE daemon's PF_KEY socket (null while the host is down).</summary>
    public SimulatedKeyClient? IkeSocket { get; private set; }

    /// <summary>The shared key in this node's configuration.</summary>
    public SharedKey Key { get; private set; }

    /// <summary>The running daemon's core (null before the first start).</summary>
    public NodeCore? Core { get; private set; }

    /// <summary>The engine's view, taken from the core.</summary>
    public EngineStatus? Status => Core?.Status().Engine;

    /// <summary>The running process's sessions by peer (their channel among them); null while it is down.</summary>
    public System.Collections.Immutable.ImmutableDictionary<string, Sessions.PeerSessionStatus>? Sessions => Core is null ? null : _shell?.SessionStatus();

    public bool Running => _process?.Alive == true;

    public bool Paused => _process?.Paused == true;

    public bool HostUp { get; private set; } = true;

    /// <summary>The resyncs of every daemon this node ran, the current one included.</summary>
    public ResyncTally Resyncs => _endedResyncs + ResyncTally.Of(Status);

    private ResyncTally _endedResyncs;

    /// <summary>Starts the daemon: it reads carp and the demote counter, listens and dials.</summary>
    public void Start()
    {
        var incarnation = ++_incarnation;
        _kernelReadPosted = false; // a read posted to the previous process died with it
        var process = new SimulatedProcess(Name, _context.Scheduler, item => Handle(incarnation, item));
        _process = process;
        _daemonSocket = Host.OpenKeyEngine(DaemonPid);
        var settings = new SyncSettings
        {
            CarpInterface = CarpInterface,
            CarpGroup = CarpGroup,
            SharedKey = Key,
            Peers = _peers,
            FlushMode = FlushMode.Startup,
            Control = DaemonControlMode.Isakmpd,
        };
        var options = new SimulatedPeerNetworkOptions();
        ISimulatedShell shell = Kind == NodeKind.Original
            ? new OriginalPeerSessions(process, _context.Network, Address, () => _codec, process.Post, Clock, _context.Trace, _context.Observations)
            : _context.SessionRules == SessionRulesKind.Legacy
                ? new SimulatedPeerNetwork(process, _context.Network, Address, options, new LegacySessionRules(), () => _codec, process.Post, Clock, _context.Trace, _context.Observations)
                : new SessionRulesPeerNetwork(process, _context.Network, Address, options, new Sessions.SessionRulesOptions(), () => _codec, process.Post, Clock, _context.Random, _context.Trace, _context.Observations);
        _shell = shell;
        var network = shell;
        var daemons = ImmutableDictionary<DaemonKind, IDaemonControl>.Empty.Add(DaemonKind.Isakmpd, Host.DaemonControl);
        var io = new SynchronousNodeIo(new NodePlatform(_daemonSocket, Host.Carp, Host.CarpGroup, daemons), process.Post);
        var engineOptions = new EngineOptions { Pid = DaemonPid };
        Core = new NodeCore(
            settings,
            engineOptions with { SnapshotChunkBytes = (int)Math.Clamp(options.DrainedBytes, 1, engineOptions.SnapshotChunkBytes) },
            _codec,
            network,
            io,
            Clock,
            new TraceLogger(Name, _context.Trace, _context.Observations),
            process.Post);
        _settings = settings;
        var demoted = Host.CarpGroup.Get(CarpGroup) > 0;
        _context.Trace.Add(Name, $"start: carp {Host.Carp.State}, demote counter {Host.CarpGroup.Get(CarpGroup)}");
        process.Post(new EngineStarted(Host.Carp.State, demoted));
        if (!shell.Start(_peers))
        {
            _context.Trace.Add(Name, $"cannot listen on {Address}: address already in use");
        }
    }

    private void Handle(int incarnation, object item)
    {
        if (incarnation != _incarnation || Core is null)
        {
            return;
        }

        if (item is KernelReadable)
        {
            // The PF_KEY socket read loop: what the socket holds, as one item.
            _kernelReadPosted = false;
            var messages = new List<ReadOnlyMemory<byte>>();
            while (_daemonSocket is { } socket && socket.TryRead(out var message))
            {
                messages.Add(message);
            }

            if (messages.Count > 0)
            {
                Core.Handle(new KernelMessagesRead(messages));
            }

            return;
        }

        Core.Handle(item);
        KernelChanged();
    }

    /// <summary>Something wrote to this host's kernel: the daemon's PF_KEY socket may have messages.</summary>
    public void KernelChanged()
    {
        if (!_kernelReadPosted && Running)
        {
            _kernelReadPosted = true;
            _process!.Post(KernelReadable.Instance);
        }
    }

    /// <summary>The daemon dies; its kernel closes its sockets (<paramref name="graceful"/>: FIN, else RST). The host stays up.</summary>
    public void Kill(bool graceful)
    {
        if (_process is null || !_process.Alive)
        {
            return;
        }

        _context.Trace.Add(Name, $"stopped ({(graceful ? "sockets closed" : "sockets reset")})");
        if (Status is { Demotion.Held: true } && HostUp)
        {
            // SIGTERM: the daemon gives back the demotion it holds before it exits.
            _ = Host.CarpGroup.AdjustAsync(CarpGroup, -1, CancellationToken.None);
        }

        _endedResyncs += ResyncTally.Of(Status);
        Core?.Dispose();
        _shell?.Stop(graceful);
        _process.Kill();
        _ = _daemonSocket?.DisposeAsync();
        _daemonSocket = null;
    }

    /// <summary>The host loses power: nothing is said on the network; it boots with an empty kernel after <paramref name="downtime"/>.</summary>
    public void Crash(TimeSpan downtime, TimeSpan rcUndemoteAfter)
    {
        _context.Network.CrashHost(Address);
        HostUp = false;
        _context.Trace.Add(Name, $"host crashed, back in {downtime.TotalSeconds:0.###} s");
        Kill(graceful: false);
        _ = IkeSocket?.DisposeAsync();
        IkeSocket = null;
        _context.Scheduler.Schedule(downtime, () =>
        {
            _context.Network.BootHost(Address);
            Boot(rcUndemoteAfter);
        });
    }

    /// <summary>The daemon is stopped and the host rebooted: an empty kernel, carp BACKUP, the group demoted as at boot.</summary>
    public void Reboot(TimeSpan downtime, TimeSpan rcUndemoteAfter, bool graceful)
    {
        Kill(graceful);
        _ = IkeSocket?.DisposeAsync();
        IkeSocket = null;
        HostUp = false;
        _context.Trace.Add(Name, $"rebooting, back in {downtime.TotalSeconds:0.###} s");
        _context.Scheduler.Schedule(downtime, () => Boot(rcUndemoteAfter));
    }

    private void Boot(TimeSpan rcUndemoteAfter)
    {
        Host = NewHost();
        Host.Carp.Set(LinkState.Down);
        Host.CarpGroup.Set(CarpGroup, 1);
        IkeSocket = Host.OpenKeyEngine(IkePid);
        HostUp = true;
        _context.Trace.Add(Name, "booted: empty kernel, carp BACKUP, carp group demoted");
        Start();
        var host = Host;
        // The end of /etc/rc gives back the boot's demotion; sasyncd's own hold is separate.
        _context.Scheduler.Schedule(rcUndemoteAfter, () =>
        {
            if (host.CarpGroup.Get(CarpGroup) > 0)
            {
                _ = host.CarpGroup.AdjustAsync(CarpGroup, -1, CancellationToken.None);
                _context.Trace.Add(Name, "rc: boot demotion released");
            }
        });
    }

    /// <summary>The wall clock jumps by <paramref name="step"/> (ntpd stepping it); timers and the monotonic clock go on.</summary>
    public void StepWallClock(TimeSpan step)
    {
        Clock.WallClockOffset += step;
        _context.Trace.Add(Name, $"wall clock stepped by {step.TotalSeconds:0.###} s");
    }

    /// <summary>SIGSTOP: the daemon handles nothing; the kernel keeps its TCP sessions up.</summary>
    public void Pause()
    {
        if (Running && !Paused)
        {
            _context.Trace.Add(Name, "paused (SIGSTOP)");
            _process!.Pause();
        }
    }

    /// <summary>SIGCONT.</summary>
    public void Resume()
    {
        if (Running && Paused)
        {
            var process = _process!;
            _context.Trace.Add(Name, $"resumed (SIGCONT), {process.Waiting} items waiting");
            process.Resume();
        }
    }

    /// <summary>Sets the carp state; the routing socket tells a running daemon.</summary>
    public void SetCarp(LinkState state)
    {
        if (!HostUp || Host.Carp.State == state)
        {
            return;
        }

        Host.Carp.Set(state);
        _context.Trace.Add(Name, $"carp {state}");
        if (Running)
        {
            _process!.Post(new CarpStateChanged(state));
        }
    }

    /// <summary>
    /// Puts another key in the configuration. sasyncd-cs applies it on SIGHUP; the original has no
    /// reload, so it is restarted (its kernel keeps its SAs).
    /// </summary>
    public void ChangeKey(SharedKey key)
    {
        Key = key;
        _codec = new SasyncFrameCodec(key);
        _context.Trace.Add(Name, $"configured key changed ({(Kind == NodeKind.Original ? "restart" : "SIGHUP")})");
        if (!Running)
        {
            return;
        }

        if (Kind == NodeKind.Original)
        {
            Kill(graceful: true);
            Start();
            return;
        }

        var codec = _codec;
        var settings = _settings! with { SharedKey = key };
        _settings = settings;
        var core = Core!;
        _process!.Post(() => core.Reload(settings, codec));
    }

    public bool HasSa(uint spi)
    {
        foreach (var sa in Host.Kernel.Sas)
        {
            if (sa.Spi == spi)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Connections the original model accepted over an existing one and left unread.</summary>
    public int LeakedConnections => (_shell as OriginalPeerSessions)?.Leaked ?? 0;

    private SimulatedNode NewHost() => new(
        new SimulatedKernelOptions { RandomSeed = _context.Random.Next(), TimeProvider = Clock },
        carpInterface: CarpInterface,
        carpGroup: CarpGroup);
}

/// <summary>The node's PF_KEY socket has messages to read.</summary>
internal sealed record KernelReadable
{
    public static readonly KernelReadable Instance = new();
}
