using Sasync.Core;
using Sasync.Tests.Support;
using static Sasync.Tests.Integration.Scenario;

namespace Sasync.Tests.Integration;

/// <summary>A backup that dies while it takes a large snapshot gets the whole SADB when it comes back.</summary>
public sealed class PeerKilledMidSnapshotTests
{
    private const int SaCount = 3000;

    [Fact]
    public async Task A_backup_killed_during_the_snapshot_ends_with_the_full_sadb_after_restart()
    {
        await using var cluster = await StartClusterAsync();
        var (master, backup) = (cluster[1], cluster[2]);
        await backup.StopAsync();
        await AddTunnelsAsync(master, 0, SaCount, withFlows: false);
        Assert.Equal(SaCount, master.Host.Kernel.Sas.Count);

        await backup.StartAsync(default);
        await Eventually.TrueAsync(() => backup.Host.Kernel.Sas.Count > 0, "the snapshot has begun");
        await backup.StopAsync();

        // The master survives the broken session and serves the next one from the start (a snapshot
        // cut off midway does not count as sent).
        Assert.Equal(RunState.Master, (await StatusAsync(master)).Engine.RunState);
        await backup.StartAsync(default);
        await Eventually.TrueAsync(
            async () => (await StatusAsync(backup)) is var s && PeerOf(s, master).SnapshotsReceived >= 1 && !s.Engine.Demotion.Held,
            "the restarted backup took a whole snapshot and released its demotion");
        await ConvergedAsync(master, SaCount, backup);
        Assert.True(PeerOf(await StatusAsync(master), backup).SnapshotsSent >= 1);
    }
}
