using Sasync.Core;
using Sasync.Tests.Support;
using static Sasync.Tests.Integration.Scenario;

namespace Sasync.Tests.Integration;

/// <summary>One MASTER and two backups on 127.0.0.1-3.</summary>
public sealed class ThreeNodeTests
{
    [Fact]
    public async Task Both_backups_converge_and_follow_a_failover_to_the_third_node()
    {
        await using var cluster = await StartClusterAsync(3);
        var (first, second, third) = (cluster[1], cluster[2], cluster[3]);
        await AddTunnelsAsync(first, 0, 4);
        await ConvergedAsync(first, 4, second, third);
        await Eventually.TrueAsync(() => second.Host.Kernel.Flows.Count == 4 && third.Host.Kernel.Flows.Count == 4, "both backups have the flows");

        await MoveMasterAsync(first, third);
        Assert.Equal(RunState.Slave, (await StatusAsync(second)).Engine.RunState);
        await Eventually.TrueAsync(() => third.Host.DaemonControl.IsActive == true && first.Host.DaemonControl.IsActive == false, "the IKE daemon runs on the third node only");
        Assert.False(second.Host.DaemonControl.IsActive);

        await AddTunnelsAsync(third, 50, 3);
        await DeleteTunnelSaAsync(third, 1);
        await ConvergedAsync(third, 6, first, second);
        Assert.DoesNotContain(second.Host.Kernel.Sas, s => s.Spi == SpiOf(1));
        var status = await StatusAsync(third);
        Assert.All(status.Engine.Peers, p => Assert.Equal(RunState.Slave, p.PeerRunState));
    }
}
