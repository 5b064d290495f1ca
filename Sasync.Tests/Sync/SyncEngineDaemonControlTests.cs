using Sasync.Core.Config;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using static Sasync.Tests.Sync.EngineHarness;

namespace Sasync.Tests.Sync;

public class SyncEngineDaemonControlTests
{
    [Fact]
    public void Failed_daemon_control_is_retried_every_4_s_until_it_succeeds()
    {
        var h = new EngineHarness(s => s with { Control = DaemonControlMode.All });
        h.Start(LinkState.Up);

        var failed = h.Handle(new DaemonControlCompleted(DaemonKind.Iked, true, new DaemonControlFailure(DaemonControlFailureKind.Unreachable, "connection refused")));
        var arm = failed.OfType<ArmTimer>().Single();
        Assert.Equal(EngineTimer.DaemonControlRetry, arm.Timer);
        Assert.Equal(TimeSpan.FromSeconds(4), arm.Delay);
        h.Handle(new DaemonControlCompleted(DaemonKind.Isakmpd, true, null));

        var retry = h.Advance(TimeSpan.FromSeconds(4), failed);
        Assert.Equal([new ControlDaemon(DaemonKind.Iked, true)], retry.OfType<ControlDaemon>());

        var again = h.Handle(new DaemonControlCompleted(DaemonKind.Iked, true, new DaemonControlFailure(DaemonControlFailureKind.Unreachable, "still refused")));
        Assert.Equal([new ControlDaemon(DaemonKind.Iked, true)], h.Advance(TimeSpan.FromSeconds(4), again).OfType<ControlDaemon>());
        Assert.Equal(2, h.Engine.Status.Counters.DaemonControlErrors);

        Assert.Empty(Without<Log>(h.Handle(new DaemonControlCompleted(DaemonKind.Iked, true, null))));
    }

    [Fact]
    public void A_state_change_replaces_the_retry_and_stale_results_are_ignored()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        var failed = h.Handle(new DaemonControlCompleted(DaemonKind.Isakmpd, true, new DaemonControlFailure(DaemonControlFailureKind.Unreachable, "no fifo reader")));

        var change = h.Handle(new CarpStateChanged(LinkState.Down));

        Assert.Contains(change, e => e is CancelTimer { Timer: EngineTimer.DaemonControlRetry });
        Assert.Equal([new ControlDaemon(DaemonKind.Isakmpd, false)], change.OfType<ControlDaemon>());
        Assert.Empty(Without<Log>(h.Handle(new DaemonControlCompleted(DaemonKind.Isakmpd, true, new DaemonControlFailure(DaemonControlFailureKind.Unreachable, "late failure")))));
        Assert.Empty(h.Advance(TimeSpan.FromSeconds(4), failed).OfType<ControlDaemon>());
    }
}
