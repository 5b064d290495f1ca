using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Logging;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Net;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;

namespace Sasync.Core.Loopback;

/// <summary>How a <see cref="LoopbackCluster"/> is laid out.</summary>
public sealed record LoopbackClusterOptions
{
    /// <summary>How many nodes to start; node i listens on 127.0.0.i.</summary>
    public int Nodes { get; init; } = 2;

    /// <summary>The port every node listens on; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>The key every node uses unless <see cref="NodeSharedKeys"/> says otherwise.</summary>
    public required SharedKey SharedKey { get; init; }

    /// <summary>Nodes (by 1-based index) that use another key than <see cref="SharedKey"/>, e.g. a misconfigured one.</summary>
    public ImmutableDictionary<int, SharedKey> NodeSharedKeys { get; init; } = ImmutableDictionary<int, SharedKey>.Empty;

    /// <summary>Nodes (by 1-based index) with another <c>channel</c> policy than the default <c>prefer</c>.</summary>
    public ImmutableDictionary<int, ChannelPolicy> NodeChannels { get; init; } = ImmutableDictionary<int, ChannelPolicy>.Empty;

    /// <summary>Every node's <c>flushmode</c>.</summary>
    public FlushMode FlushMode { get; init; } = FlushMode.Startup;

    /// <summary>Carp link state of node 1 at start; the others start as BACKUP.</summary>
    public LinkState FirstNodeCarp { get; init; } = LinkState.Up;

    /// <summary>Every node's bound on the bytes queued for one peer; the daemon's default unless set.</summary>
    public long MaxQueuedBytesPerPeer { get; init; } = new PeerNetworkOptions().MaxQueuedBytesPerPeer;

    /// <summary>Settings of every node's simulated kernel (raise ClientQueueCapacity for big runs).</summary>
    public SimulatedKernelOptions? KernelOptions { get; init; }

    /// <summary>Kernel writes complete later on another thread, as through OpenBSD's PF_KEY socket, instead of at once.</summary>
    public bool DeferredKernelWrites { get; init; }
}

/// <summary>
/// A cluster of sasyncd nodes in one process, each with its own simulated kernel and carp, talking
/// real TCP over 127.0.0.1, 127.0.0.2, …: for the demo, the benchmark, tests, and other HA tools.
/// </summary>
public sealed class LoopbackCluster : IAsyncDisposable
{
    private LoopbackCluster(ImmutableArray<LoopbackClusterNode> nodes) => Nodes = nodes;

    /// <summary>The nodes, node 1 first.</summary>
    public ImmutableArray<LoopbackClusterNode> Nodes { get; }

    /// <summary>Node <paramref name="index"/>, counted from 1 as the addresses are.</summary>
    public LoopbackClusterNode this[int index] => Nodes[index - 1];

    /// <summary>Creates the nodes (1-based, node i on 127.0.0.i) and starts them all.</summary>
    public static async Task<LoopbackCluster> StartAsync(LoopbackClusterOptions options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port != 0)
        {
            return await StartOnAsync(options.Port, options, loggers, cancellationToken).ConfigureAwait(false);
        }

        // A port found free can be taken by someone else before the nodes bind it: pick another.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnAsync(LoopbackPorts.FreePort(options.Nodes), options, loggers, cancellationToken).ConfigureAwait(false);
            }
            catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse && attempt < 10)
            {
            }
        }
    }

    private static async Task<LoopbackCluster> StartOnAsync(int port, LoopbackClusterOptions options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var nodes = Enumerable.Range(1, options.Nodes)
            .Select(i => new LoopbackClusterNode(i, options, port, loggers))
            .ToImmutableArray();
        var cluster = new LoopbackCluster(nodes);
        try
        {
            foreach (var node in nodes)
            {
                await node.StartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return cluster;
    }

    /// <summary>Stops every node and closes its sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>One node of a <see cref="LoopbackCluster"/>: its simulated host, its daemon, and an IKE daemon's PF_KEY socket.</summary>
public sealed class LoopbackClusterNode : IAsyncDisposable
{
    private readonly LoopbackClusterOptions _options;
    private readonly int _port;
    private readonly ILoggerFactory _loggers;
    private SyncNode? _node;
    private SimulatedKeyClient? _daemonSocket;
    private uint _ikeSequence;
    private Task _ikeReader = Task.CompletedTask;

    internal LoopbackClusterNode(int index, LoopbackClusterOptions options, int port, ILoggerFactory loggers)
    {
        Index = index;
        _options = options;
        _port = port;
        _loggers = loggers;
        Address = LoopbackPorts.Node(index);
        Settings = new SyncSettings
        {
            CarpInterface = "carp0",
            SharedKey = options.NodeSharedKeys.GetValueOrDefault(index, options.SharedKey),
            FlushMode = options.FlushMode,
            Channel = options.NodeChannels.GetValueOrDefault(index, ChannelPolicy.Prefer),
            Listen = new ListenSettings { On = Address.ToString(), Family = ListenFamily.Inet, Port = port },
            Peers = [.. Enumerable.Range(1, options.Nodes).Where(i => i != index).Select(i => LoopbackPorts.Node(i).ToString())],
        };
        Host = new SimulatedNode(options.KernelOptions, carpInterface: Settings.CarpInterface, carpGroup: Settings.CarpGroup);
        Host.Carp.Set(index == 1 ? options.FirstNodeCarp : LinkState.Down);
        OpenIke();
    }

    /// <summary>The node's 1-based number.</summary>
    public int Index { get; }

    /// <summary>The loopback address the node listens on and connects from, 127.0.0.<see cref="Index"/>.</summary>
    public IPAddress Address { get; }

    /// <summary>The node's configuration, as a sasyncd.conf would give it: carp0, every other node as a peer.</summary>
    public SyncSettings Settings { get; }

    /// <summary>The simulated operating system: kernel, carp, demote counter, daemon control.</summary>
    public SimulatedNode Host { get; private set; }

    /// <summary>A PF_KEY socket of the node's IKE daemon, to write SAs and flows as isakmpd would.</summary>
    public SimulatedKeyClient Ike { get; private set; }

    /// <summary>The pid the daemon's PF_KEY socket is opened with, so its own messages can be told apart.</summary>
    public uint DaemonPid => 1000u + (uint)Index;

    /// <summary>The pid of the simulated IKE daemon's PF_KEY socket (<see cref="Ike"/>).</summary>
    public uint IkePid => 2000u + (uint)Index;

    /// <summary>The running daemon, or null while the node is stopped.</summary>
    public SyncNode? Node => _node;

    /// <summary>True while the daemon runs (between <see cref="StartAsync"/> and <see cref="StopAsync"/>).</summary>
    public bool IsRunning => _node is not null;

    /// <summary>Starts the daemon on the current host; does nothing when it already runs.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_node is not null)
        {
            return;
        }

        _daemonSocket = Host.OpenKeyEngine(DaemonPid);
        var control = Host.DaemonControl;
        var platform = new NodePlatform(
            _options.DeferredKernelWrites ? new DeferredWriteKeyEngine(_daemonSocket) : _daemonSocket,
            Host.Carp,
            Host.CarpGroup,
            ImmutableDictionary<DaemonKind, IDaemonControl>.Empty.Add(DaemonKind.Isakmpd, control).Add(DaemonKind.Iked, control));
        var node = new SyncNode(
            Settings,
            platform,
            new SasyncFrameCodec(Settings.SharedKey, channel: Settings.Channel),
            new PeerNetworkOptions
            {
                Listen = [new IPEndPoint(Address, _port)],
                Port = _port,
                BindAddress = Address,
                Peers = Settings.Peers,
                MaxQueuedBytesPerPeer = _options.MaxQueuedBytesPerPeer,
            },
            TimeProvider.System,
            _loggers);
        await node.StartAsync(cancellationToken).ConfigureAwait(false);
        _node = node;
    }

    /// <summary>Stops the daemon as a crash would; the simulated kernel keeps its SAs.</summary>
    public async Task StopAsync()
    {
        if (_node is { } node)
        {
            _node = null;
            await node.DisposeAsync().ConfigureAwait(false);
        }

        if (_daemonSocket is { } socket)
        {
            _daemonSocket = null;
            await socket.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Replaces the host by a freshly booted one: empty SADB/SPD, carp BACKUP, group demoted as at boot.</summary>
    public async Task RebootAsync(CancellationToken cancellationToken)
    {
        await PowerOffAsync().ConfigureAwait(false);
        await StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The first half of <see cref="RebootAsync"/>: the daemon stops and the host is replaced by a freshly booted one
    /// (empty SADB/SPD, carp BACKUP, group demoted) whose daemon <see cref="StartAsync"/> starts. Apart, so that a
    /// benchmark can collect the old kernel's SAs and flows before the boot, as a real reboot frees that memory.
    /// </summary>
    public async Task PowerOffAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await CloseIkeAsync().ConfigureAwait(false);
        Host = new SimulatedNode(_options.KernelOptions, carpInterface: Settings.CarpInterface, carpGroup: Settings.CarpGroup);
        Host.Carp.Set(LinkState.Down);
        Host.CarpGroup.Set(Settings.CarpGroup, 1);
        OpenIke();
    }

    /// <summary>Writes a message as the IKE daemon would (pid and sequence filled in).</summary>
    public ValueTask WriteAsIkeAsync(Func<uint, uint, byte[]> message, CancellationToken cancellationToken) =>
        Ike.WriteAsync(message(IkePid, ++_ikeSequence), cancellationToken);

    /// <summary>
    /// Writes <paramref name="message"/> as the IKE daemon would, its header's pid and sequence filled in there;
    /// the buffer may be written again once the write has completed.
    /// </summary>
    public ValueTask WriteAsIkeAsync(Memory<byte> message, CancellationToken cancellationToken)
    {
        var span = message.Span;
        (SadbHeader.Read(span) with { Pid = IkePid, Sequence = ++_ikeSequence }).WriteTo(span);
        return Ike.WriteAsync(message, cancellationToken);
    }

    /// <summary>
    /// Opens the IKE daemon's PF_KEY socket and reads it as the daemon would; nothing here needs the
    /// kernel's replies, but left unread they would pile up in the socket for the whole run.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(Ike))]
    private void OpenIke()
    {
        Ike = Host.OpenKeyEngine(IkePid);
        var socket = Ike;
        _ikeReader = Task.Run(async () =>
        {
            // Into one batch, as nothing is kept: a run of a million tunnels allocates nothing here. A batch per read
            // takes a burst in one call instead of a lock and a wake-up per reply, which the relay phase's CPU counted.
            var batch = new KernelMessageBatch();
            while (await socket.ReadBatchAsync(batch, CancellationToken.None).ConfigureAwait(false))
            {
            }
        });
    }

    private async Task CloseIkeAsync()
    {
        await Ike.DisposeAsync().ConfigureAwait(false);
        await _ikeReader.ConfigureAwait(false);
    }

    /// <summary>Stops the daemon and closes the IKE daemon's socket.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await CloseIkeAsync().ConfigureAwait(false);
    }
}
