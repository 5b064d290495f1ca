using Sasync.Core.Platform;

namespace Sasync.Tests.Hosting;

public class NodeCoreTimerTests
{
    [Fact]
    public void A_wall_clock_stepped_back_does_not_lose_the_undemote_deadline()
    {
        using var h = new NodeCoreHarness();
        h.Start(LinkState.Down, demoted: true);
        h.LinkUp("peer-a", 1); // connected but silent: only the deadline ends the hold

        h.Advance(TimeSpan.FromSeconds(30));
        h.Time.AdjustTime(h.Time.GetUtcNow() - TimeSpan.FromHours(1)); // NTP steps the clock back; timers keep running
        h.Advance(TimeSpan.FromSeconds(29));
        Assert.True(h.Engine.Demotion.Held);
        h.Advance(TimeSpan.FromSeconds(1));

        Assert.False(h.Engine.Demotion.Held);
        Assert.Equal(1, h.Host.CarpGroup.DemoteCounter);
    }

    [Fact]
    public void A_re_armed_timer_s_old_firing_changes_nothing()
    {
        using var h = new NodeCoreHarness(s => s with { Control = Core.Config.DaemonControlMode.Isakmpd });
        h.Host.DaemonControl.FailNext(1);
        h.Start(LinkState.Up);
        Assert.Equal(["active"], h.Host.DaemonControl.FailedCalls);

        h.Handle(new Core.Sync.TimerFired(Core.Sync.EngineTimer.DaemonControlRetry, 999));
        Assert.Empty(h.Host.DaemonControl.Calls);
        h.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal(["active"], h.Host.DaemonControl.Calls);
    }
}
