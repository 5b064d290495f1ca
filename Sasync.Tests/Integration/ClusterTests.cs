using Sasync.Core;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Tests.Support;
using static Sasync.Tests.Integration.Scenario;

namespace Sasync.Tests.Integration;

public sealed class ClusterTests
{
    [Fact]
    public async Task Master_replicates_live_sas_and_flows_and_a_joining_backup_gets_a_snapshot()
    {
        await using var cluster = await StartClusterAsync();
        var master = cluster[1];
        var backup = cluster[2];

        await AddTunnelsAsync(master, 0, 5);
        await Eventually.TrueAsync(() => backup.Host.Kernel.Sas.Count == 5 && backup.Host.Kernel.Flows.Count == 5, "backup has 5 SAs and 5 flows");
        Assert.True(SameSas(master.Host.Kernel, backup.Host.Kernel));
        Assert.All(backup.Host.Kernel.Sas, sa => Assert.Equal(SadbSaState.Mature, sa.State));
        Assert.True(master.Host.DaemonControl.IsActive);
        Assert.False(backup.Host.DaemonControl.IsActive);

        // A backup that reboots comes back with a fresh, empty kernel (its daemon may already be taking
        // the snapshot by the time this looks) and gets everything from the snapshot.
        var before = backup.Host.Kernel;
        await backup.RebootAsync(default);
        Assert.NotSame(before, backup.Host.Kernel);
        await Eventually.TrueAsync(() => backup.Host.Kernel.Sas.Count == 5 && backup.Host.Kernel.Flows.Count == 5, "rebooted backup has the snapshot");
        Assert.True(PeerOf(await StatusAsync(backup), master).SnapshotsReceived >= 1);
        // Boot left the group demoted once; the daemon adds its own hold and gives it back after the snapshot.
        await Eventually.TrueAsync(async () => !(await backup.Node!.GetStatusAsync(default)).Engine.Demotion.Held, "rebooted backup released its demotion");
        Assert.Equal([("carp", 1), ("carp", -1)], backup.Host.CarpGroup.Adjustments.ToArray());
        Assert.Equal(1, backup.Host.CarpGroup.Get("carp"));
    }

    [Fact]
    public async Task Kernel_writes_that_complete_later_keep_their_order_and_still_release_the_demotion()
    {
        // As on OpenBSD, where a PF_KEY write completes on the socket's writer thread.
        await using var cluster = await StartClusterAsync(options: o => o with { DeferredKernelWrites = true });
        var master = cluster[1];
        var backup = cluster[2];
        await RelayingAsync(master);
        await AddTunnelsAsync(master, 0, 20);
        await ConvergedAsync(master, 20, backup);

        // A delete right behind its add must not overtake it on the way into the backup's kernel.
        await AddTunnelsAsync(master, 20, 1, withFlows: false);
        await DeleteTunnelSaAsync(master, 20);
        await ConvergedAsync(master, 20, backup);

        await backup.RebootAsync(default);
        await ConvergedAsync(master, 20, backup);
        await Eventually.TrueAsync(() => backup.Host.Kernel.FlowCount == 20, "the rebooted backup has the 20 flows");
        await Eventually.TrueAsync(async () => !(await StatusAsync(backup)).Engine.Demotion.Held, "the backup released its demotion after the snapshot");
        var counters = (await StatusAsync(backup)).Engine.Counters;
        Assert.Equal(0, counters.KernelWriteErrors);
        Assert.True(counters.KernelWrites >= 41, $"kernel writes {counters.KernelWrites}"); // FLUSH, 20 SAs, 20 flows (twice if a duplicate session brought a second snapshot)
    }

    [Fact]
    public async Task Failover_moves_the_master_role_and_sync_follows_it()
    {
        await using var cluster = await StartClusterAsync();
        var first = cluster[1];
        var second = cluster[2];
        await AddTunnelsAsync(first, 0, 3);
        await Eventually.TrueAsync(() => second.Host.Kernel.Sas.Count == 3, "initial replication");

        first.Host.Carp.Set(LinkState.Down);
        second.Host.Carp.Set(LinkState.Up);
        await Eventually.TrueAsync(() => second.Host.DaemonControl.IsActive == true && first.Host.DaemonControl.IsActive == false, "daemons switched");
        await IsRunStateAsync(second, RunState.Master);

        await AddTunnelsAsync(second, 100, 2);
        await Eventually.TrueAsync(() => first.Host.Kernel.Sas.Count == 5, "new SAs flow from the new master to the old one");
        Assert.True(SameSas(first.Host.Kernel, second.Host.Kernel));
    }
}
