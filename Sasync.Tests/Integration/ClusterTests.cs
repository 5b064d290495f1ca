using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Tests.Support;

namespace Sasync.Tests.Integration;

public sealed class ClusterTests
{
    private static readonly SharedKey Key = new(Convert.FromHexString("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));

    private static async Task AddTunnelsAsync(LoopbackClusterNode node, int first, int count)
    {
        for (var i = first; i < first + count; i++)
        {
            var spi = 0x1000u + (uint)i;
            await node.WriteAsIkeAsync((pid, seq) => IkeDaemonMessages.AddEspSa(pid, seq, spi, node.Address, IPAddress.Parse("198.51.100.1")), default);
            await node.WriteAsIkeAsync((pid, seq) => IkeDaemonMessages.AddFlow(pid, seq, IkeDaemonMessages.Network(i), IkeDaemonMessages.Network(1000 + i), IPAddress.Parse("198.51.100.1")), default);
        }
    }

    private static bool SameSas(SimulatedKernel a, SimulatedKernel b) =>
        a.Sas.Select(s => (s.SaType, s.Spi, s.Destination)).Order().SequenceEqual(b.Sas.Select(s => (s.SaType, s.Spi, s.Destination)).Order());

    [Fact]
    public async Task Master_replicates_live_sas_and_flows_and_a_joining_backup_gets_a_snapshot()
    {
        await using var cluster = await LoopbackCluster.StartAsync(new LoopbackClusterOptions { SharedKey = Key, Nodes = 2 }, NullLoggerFactory.Instance, default);
        var master = cluster[1];
        var backup = cluster[2];

        await AddTunnelsAsync(master, 0, 5);
        await Eventually.TrueAsync(() => backup.Host.Kernel.Sas.Count == 5 && backup.Host.Kernel.Flows.Count == 5, "backup has 5 SAs and 5 flows");
        Assert.True(SameSas(master.Host.Kernel, backup.Host.Kernel));
        Assert.All(backup.Host.Kernel.Sas, sa => Assert.Equal(SadbSaState.Mature, sa.State));
        Assert.True(master.Host.DaemonControl.IsActive);
        Assert.False(backup.Host.DaemonControl.IsActive);

        // A backup that reboots comes back empty and gets everything from the snapshot.
        await backup.RebootAsync(default);
        Assert.Empty(backup.Host.Kernel.Sas);
        await Eventually.TrueAsync(() => backup.Host.Kernel.Sas.Count == 5 && backup.Host.Kernel.Flows.Count == 5, "rebooted backup has the snapshot");
        // Boot left the group demoted once; the daemon adds its own hold and gives it back after the snapshot.
        await Eventually.TrueAsync(async () => !(await backup.Node!.GetStatusAsync(default)).Engine.Demotion.Held, "rebooted backup released its demotion");
        Assert.Equal([("carp", 1), ("carp", -1)], backup.Host.CarpGroup.Adjustments.ToArray());
        Assert.Equal(1, backup.Host.CarpGroup.Get("carp"));
    }

    [Fact]
    public async Task Failover_moves_the_master_role_and_sync_follows_it()
    {
        await using var cluster = await LoopbackCluster.StartAsync(new LoopbackClusterOptions { SharedKey = Key, Nodes = 2 }, NullLoggerFactory.Instance, default);
        var first = cluster[1];
        var second = cluster[2];
        await AddTunnelsAsync(first, 0, 3);
        await Eventually.TrueAsync(() => second.Host.Kernel.Sas.Count == 3, "initial replication");

        first.Host.Carp.Set(LinkState.Down);
        second.Host.Carp.Set(LinkState.Up);
        await Eventually.TrueAsync(() => second.Host.DaemonControl.IsActive == true && first.Host.DaemonControl.IsActive == false, "daemons switched");
        await Eventually.TrueAsync(async () => (await second.Node!.GetStatusAsync(default)).Engine.RunState == RunState.Master, "second is MASTER");

        await AddTunnelsAsync(second, 100, 2);
        await Eventually.TrueAsync(() => first.Host.Kernel.Sas.Count == 5, "new SAs flow from the new master to the old one");
        Assert.True(SameSas(first.Host.Kernel, second.Host.Kernel));
    }
}
