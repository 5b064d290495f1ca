using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Loopback;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;
using Sasync.Tests.Support;

namespace Sasync.Tests.Integration;

/// <summary>What the integration tests share: the key, tunnels written as the IKE daemon, and ways to compare and wait on nodes.</summary>
internal static class Scenario
{
    public static readonly SharedKey Key = new(Convert.FromHexString("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));

    public static readonly IPAddress RemoteGateway = IPAddress.Parse("198.51.100.1");

    /// <summary>A cluster of <paramref name="nodes"/> sharing <see cref="Key"/>, node 1 MASTER unless <paramref name="options"/> says otherwise.</summary>
    public static Task<LoopbackCluster> StartClusterAsync(int nodes = 2, ILoggerFactory? log = null, Func<LoopbackClusterOptions, LoopbackClusterOptions>? options = null)
    {
        var defaults = new LoopbackClusterOptions { SharedKey = Key, Nodes = nodes };
        return LoopbackCluster.StartAsync(options?.Invoke(defaults) ?? defaults, log ?? NullLoggerFactory.Instance, default);
    }

    /// <summary>Carp moves the MASTER role from one node to another; waits until both engines follow.</summary>
    public static async Task MoveMasterAsync(LoopbackClusterNode from, LoopbackClusterNode to)
    {
        from.Host.Carp.Set(LinkState.Down);
        to.Host.Carp.Set(LinkState.Up);
        await IsRunStateAsync(to, RunState.Master);
        await IsRunStateAsync(from, RunState.Slave);
    }

    /// <summary>
    /// Stops a node's daemon once <paramref name="observer"/> has a settled session with it (no dial
    /// still in flight that could leave a half-open session behind), and waits until the observer has
    /// seen that session end: nothing more is queued for it, and a new connection from its address
    /// is not taken for a duplicate.
    /// </summary>
    public static async Task StopSeenByAsync(LoopbackClusterNode node, LoopbackClusterNode observer)
    {
        await Eventually.TrueAsync(
            async () => PeerOf(await StatusAsync(observer), node) is { Connected: true, PeerRunState: not null },
            $"node {observer.Index} knows node {node.Index}'s state");
        await node.StopAsync();
        await Eventually.TrueAsync(async () => !PeerOf(await StatusAsync(observer), node).Connected, $"node {observer.Index} saw node {node.Index} stop");
    }

    public static uint SpiOf(int tunnel) => 0x1000u + (uint)tunnel;

    /// <summary>Tunnels first .. first+count-1: an ESP SA and a flow each, written on the node by its IKE daemon.</summary>
    public static async Task AddTunnelsAsync(LoopbackClusterNode node, int first, int count, bool withFlows = true)
    {
        for (var i = first; i < first + count; i++)
        {
            var spi = SpiOf(i);
            await node.WriteAsIkeAsync((pid, seq) => IkeDaemonMessages.AddEspSa(pid, seq, spi, node.Address, RemoteGateway), default);
            if (withFlows)
            {
                var tunnel = i;
                await node.WriteAsIkeAsync((pid, seq) => IkeDaemonMessages.AddFlow(pid, seq, IkeDaemonMessages.Network(tunnel), IkeDaemonMessages.Network(1000 + tunnel), RemoteGateway), default);
            }
        }
    }

    public static Task DeleteTunnelSaAsync(LoopbackClusterNode node, int tunnel) =>
        node.WriteAsIkeAsync((pid, seq) => IkeDaemonMessages.DeleteSa(pid, seq, SpiOf(tunnel), node.Address, RemoteGateway), default).AsTask();

    public static IEnumerable<(Core.PfKey.SadbSaType, uint, IPAddress)> SaKeys(SimulatedKernel kernel) =>
        kernel.Sas.Select(s => (s.SaType, s.Spi, s.Destination)).Order();

    /// <summary>Waits until the node is MASTER and its PF_KEY socket is promiscuous, so what its IKE daemon writes from now on is relayed.</summary>
    public static async Task RelayingAsync(LoopbackClusterNode node)
    {
        await IsRunStateAsync(node, RunState.Master);
        await Eventually.TrueAsync(() => node.Host.Kernel.Clients.Any(c => c.Pid == node.DaemonPid && c.IsPromiscuous), $"node {node.Index} reads its kernel promiscuously");
    }

    /// <summary>Waits until the node's engine has read <paramref name="count"/> messages from its kernel, so none are still on their way to the peers.</summary>
    public static Task KernelMessagesSeenAsync(LoopbackClusterNode node, long count) =>
        Eventually.TrueAsync(async () => (await StatusAsync(node)).Engine.Counters.KernelMessagesSeen >= count, $"node {node.Index} has seen {count} kernel messages");

    public static bool SameSas(SimulatedKernel a, SimulatedKernel b) => SaKeys(a).SequenceEqual(SaKeys(b));

    public static async Task<NodeStatus> StatusAsync(LoopbackClusterNode node)
    {
        Assert.NotNull(node.Node);
        return await node.Node.GetStatusAsync(default);
    }

    public static PeerStatus PeerOf(NodeStatus status, LoopbackClusterNode peer) =>
        status.Engine.Peers.Single(p => p.Name == peer.Address.ToString());

    public static Task IsRunStateAsync(LoopbackClusterNode node, RunState state) =>
        Eventually.TrueAsync(async () => node.Node is not null && (await StatusAsync(node)).Engine.RunState == state, $"node {node.Index} is {state}");

    /// <summary>Waits until every node's kernel holds the same SAs as <paramref name="source"/>, with <paramref name="count"/> of them.</summary>
    public static Task ConvergedAsync(LoopbackClusterNode source, int count, params LoopbackClusterNode[] others) =>
        Eventually.TrueAsync(
            () => source.Host.Kernel.Sas.Count == count && others.All(o => SameSas(source.Host.Kernel, o.Host.Kernel)),
            $"nodes {string.Join(", ", others.Select(o => o.Index))} have the {count} SAs of node {source.Index}");
}
