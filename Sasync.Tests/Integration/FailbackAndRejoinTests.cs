using Sasync.Core;
using Sasync.Tests.Support;
using static Sasync.Tests.Integration.Scenario;

namespace Sasync.Tests.Integration;

/// <summary>The MASTER role moves away and back; backups that restart or reboot catch up.</summary>
public sealed class FailbackAndRejoinTests
{
    [Fact]
    public async Task Sync_follows_the_master_role_over_there_and_back_again()
    {
        await using var cluster = await StartClusterAsync();
        var first = cluster[1];
        var second = cluster[2];
        await AddTunnelsAsync(first, 0, 3);
        await ConvergedAsync(first, 3, second);

        await MoveMasterAsync(first, second);
        await AddTunnelsAsync(second, 10, 2);
        await ConvergedAsync(second, 5, first);

        // Failback: the first node takes over again and its changes flow to the second.
        await MoveMasterAsync(second, first);
        await Eventually.TrueAsync(() => first.Host.DaemonControl.IsActive == true && second.Host.DaemonControl.IsActive == false, "daemons switched back");
        await AddTunnelsAsync(first, 20, 2);
        await DeleteTunnelSaAsync(first, 10);
        await ConvergedAsync(first, 6, second);
        Assert.DoesNotContain(second.Host.Kernel.Sas, s => s.Spi == SpiOf(10));
    }

    [Fact]
    public async Task A_restarted_backup_keeps_its_kernel_and_a_rebooted_one_starts_empty_both_end_in_sync()
    {
        await using var cluster = await StartClusterAsync();
        var master = cluster[1];
        var backup = cluster[2];
        await RelayingAsync(master);
        await AddTunnelsAsync(master, 0, 4);
        await ConvergedAsync(master, 4, backup);

        // While the daemon is down the kernel keeps what it had; the master moves on meanwhile.
        await backup.StopAsync();
        await AddTunnelsAsync(master, 10, 2);
        await DeleteTunnelSaAsync(master, 0);
        await KernelMessagesSeenAsync(master, 8 + 4 + 1);
        Assert.Equal(4, backup.Host.Kernel.Sas.Count);
        Assert.Contains(backup.Host.Kernel.Sas, s => s.Spi == SpiOf(0));

        // The snapshot starts with FLUSH, so what the master deleted meanwhile is gone afterwards.
        await backup.StartAsync(default);
        await ConvergedAsync(master, 5, backup);
        Assert.DoesNotContain(backup.Host.Kernel.Sas, s => s.Spi == SpiOf(0));
        await Eventually.TrueAsync(() => backup.Host.Kernel.Flows.Count == master.Host.Kernel.Flows.Count, "flows match after restart");

        await backup.RebootAsync(default);
        await ConvergedAsync(master, 5, backup);
        await Eventually.TrueAsync(() => backup.Host.Kernel.Flows.Count == 6, "flows match after reboot");
    }
}
