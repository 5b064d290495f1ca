using Sasync.Core;
using Sasync.Core.Platform;
using Sasync.Tests.Support;
using static Sasync.Tests.Integration.Scenario;

namespace Sasync.Tests.Integration;

/// <summary>Both carp interfaces MASTER: each side refuses the other's claim, and they converge once one steps down.</summary>
public sealed class TwoMastersTests
{
    [Fact]
    public async Task Two_masters_report_the_conflict_and_converge_when_one_becomes_backup()
    {
        var log = new LogCapture();
        await using var cluster = await StartClusterAsync(2, log);
        var (first, second) = (cluster[1], cluster[2]);
        await AddTunnelsAsync(first, 0, 2);
        await ConvergedAsync(first, 2, second);

        second.Host.Carp.Set(LinkState.Up);
        await IsRunStateAsync(second, RunState.Master);
        await Eventually.TrueAsync(
            async () => PeerOf(await StatusAsync(first), second).LastError is not null && PeerOf(await StatusAsync(second), first).LastError is not null,
            "both masters recorded the conflict");
        var firstSeen = PeerOf(await StatusAsync(first), second).LastError;
        var secondSeen = PeerOf(await StatusAsync(second), first).LastError;
        Assert.Contains(firstSeen, new[] { "peer claims MASTER while we are MASTER", "peer reported an error about our STATE" });
        Assert.Contains(secondSeen, new[] { "peer claims MASTER while we are MASTER", "peer reported an error about our STATE" });
        Assert.True(log.Contains("claims MASTER while we are MASTER"));

        // The first one steps down: it takes the second's SADB, including what was added meanwhile.
        await AddTunnelsAsync(second, 10, 1);
        first.Host.Carp.Set(LinkState.Down);
        await IsRunStateAsync(first, RunState.Slave);
        await AddTunnelsAsync(second, 11, 1);
        await ConvergedAsync(second, 4, first);
        Assert.Equal(RunState.Master, (await StatusAsync(second)).Engine.RunState);
        await Eventually.TrueAsync(() => second.Host.DaemonControl.IsActive == true && first.Host.DaemonControl.IsActive == false, "only the remaining master runs the IKE daemon");
    }
}
