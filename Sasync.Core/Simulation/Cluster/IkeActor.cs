using System.Net;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// The IKE daemon of one host, as isakmpd behaves towards the kernel: while sasyncd has made it
/// active it sets up tunnels (an ESP SA and its flow) and tears some down again, at drawn intervals,
/// on its own PF_KEY socket. Passive, it does nothing. It is a separate process: pausing sasyncd
/// does not stop it.
/// </summary>
internal sealed class IkeActor
{
    /// <summary>The carp address every node's SAs start from: the tunnels belong to the cluster.</summary>
    public static readonly IPAddress ClusterAddress = IPAddress.Parse("203.0.113.1");

    public static readonly IPAddress RemoteGateway = IPAddress.Parse("198.51.100.1");

    private readonly ClusterNode _node;
    private readonly Random _random;
    private readonly SimulationTrace _trace;
    private readonly List<int> _tunnels = [];
    private int _created;
    private uint _sequence;

    public IkeActor(ClusterNode node, Random random, SimulationTrace trace)
    {
        _node = node;
        _random = random;
        _trace = trace;
    }

    /// <summary>While false the actor sets nothing up (the settle phase quiets it before the checks).</summary>
    public bool Working { get; set; } = true;

    public void Start(VirtualScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        scheduler.Schedule(NextDelay(), () => Tick(scheduler));
    }

    private TimeSpan NextDelay() => TimeSpan.FromMilliseconds(_random.Next(300, 4000));

    private void Tick(VirtualScheduler scheduler)
    {
        scheduler.Schedule(NextDelay(), () => Tick(scheduler));
        var socket = _node.IkeSocket;
        if (!Working || socket is null || _node.Host.DaemonControl.IsActive != true)
        {
            return;
        }

        // Our own tunnels that are still in the kernel (a snapshot from another MASTER may have replaced them).
        _tunnels.RemoveAll(t => !_node.HasSa(Spi(t)));
        if (_tunnels.Count > 0 && _random.Next(3) == 0)
        {
            var victim = _tunnels[_random.Next(_tunnels.Count)];
            _tunnels.Remove(victim);
            Write(socket, IkeDaemonMessages.DeleteSa(_node.IkePid, ++_sequence, Spi(victim), ClusterAddress, RemoteGateway), $"delete SA 0x{Spi(victim):x8}");
            Write(socket, ClusterMessages.DeleteFlow(_node.IkePid, ++_sequence, LocalNet(victim), RemoteNet(victim)), $"delete flow of 0x{Spi(victim):x8}");
            return;
        }

        var tunnel = (_node.Index << 16) | ++_created;
        _tunnels.Add(tunnel);
        Write(socket, IkeDaemonMessages.AddEspSa(_node.IkePid, ++_sequence, Spi(tunnel), ClusterAddress, RemoteGateway), $"add SA 0x{Spi(tunnel):x8}");
        Write(socket, IkeDaemonMessages.AddFlow(_node.IkePid, ++_sequence, LocalNet(tunnel), RemoteNet(tunnel), RemoteGateway), $"add flow of 0x{Spi(tunnel):x8}");
    }

    private void Write(SimulatedKeyClient socket, byte[] message, string what)
    {
        var outcome = socket.WriteAsync(message, CancellationToken.None);
        string? error = null;
        try
        {
            outcome.GetAwaiter().GetResult();
        }
        catch (Platform.KeyEngineException e)
        {
            error = e.Message;
        }

        _trace.Add($"ike{_node.Index}", $"{what}{(error is null ? "" : $" refused: {error}")}");
        // isakmpd reads its replies; left unread they would fill its socket.
        while (socket.TryRead(out _))
        {
        }

        _node.KernelChanged();
    }

    public static uint Spi(int tunnel) => 0x10000000u + (uint)tunnel;

    private static IPAddress LocalNet(int tunnel) => Net(0x0A000000u, tunnel);

    private static IPAddress RemoteNet(int tunnel) => Net(0xAC000000u, tunnel);

    private static IPAddress Net(uint prefix, int tunnel)
    {
        Span<byte> bytes = stackalloc byte[4];
        // 4 bits of node, 12 bits of tunnel number: a /24 of its own for every tunnel of a run.
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, prefix | (((uint)tunnel >> 16) & 0xFu) << 20 | ((uint)tunnel & 0xFFFu) << 8);
        return new IPAddress(bytes);
    }
}

/// <summary>PF_KEY messages the simulator's IKE daemon needs beyond <see cref="IkeDaemonMessages"/>.</summary>
internal static class ClusterMessages
{
    /// <summary>X_DELFLOW of the flow <c>IkeDaemonMessages.AddFlow</c> made (the kernel keys it by the flow alone).</summary>
    public static byte[] DeleteFlow(uint pid, uint sequence, IPAddress localNet, IPAddress remoteNet) =>
        new PfKeyMessageBuilder(SadbMessageType.XDelFlow, SadbSaType.Esp, sequence, pid)
            .Add(new AddressExtension(SadbExtensionType.XSrcFlow, localNet))
            .Add(new AddressExtension(SadbExtensionType.XSrcMask, Mask24))
            .Add(new AddressExtension(SadbExtensionType.XDstFlow, remoteNet))
            .Add(new AddressExtension(SadbExtensionType.XDstMask, Mask24))
            .Add(new ProtocolExtension(0))
            .Add(new FlowTypeExtension(SadbFlowType.Require, SadbDirection.Out))
            .Build();

    private static readonly IPAddress Mask24 = IPAddress.Parse("255.255.255.0");
}
