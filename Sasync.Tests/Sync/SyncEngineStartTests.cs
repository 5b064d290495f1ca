using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using Sasync.Core.Wire;
using static Sasync.Tests.Sync.EngineHarness;

namespace Sasync.Tests.Sync;

public class SyncEngineStartTests
{
    [Fact]
    public void Start_as_slave_on_a_demoted_group_demotes_once_more_and_arms_the_60_s_deadline()
    {
        var h = new EngineHarness();

        var effects = h.Start(LinkState.Down, demoted: true);

        Assert.Equal(RunState.Slave, h.Engine.RunState);
        Assert.Equal([new AdjustCarpDemotion("carp", +1)], Demotions(effects));
        var deadline = effects.OfType<ArmTimer>().Single(a => a.Timer == EngineTimer.UndemoteDeadline);
        Assert.Equal(h.Time.GetUtcNow().AddSeconds(60), deadline.DueAt);
        Assert.Equal(TimeSpan.FromSeconds(60), deadline.Delay);
        Assert.Contains(new SetPromiscuous(false), effects);
        Assert.Contains(new ControlDaemon(DaemonKind.Isakmpd, false), effects);
        Assert.Contains(effects, e => e is ConnectMissingPeers);
        Assert.True(h.Engine.Status.Demotion.Held);
        Assert.Equal(h.Time.GetUtcNow(), h.Engine.Status.StartedAt);
    }

    [Fact]
    public void Start_on_a_group_that_is_not_demoted_never_touches_the_counter()
    {
        var h = new EngineHarness();
        var effects = h.Start(LinkState.Down, demoted: false).ToList();
        effects.AddRange(h.Advance(TimeSpan.FromSeconds(61), effects));
        Assert.Empty(Demotions(effects));
        Assert.DoesNotContain(effects, e => e is ArmTimer { Timer: EngineTimer.UndemoteDeadline });
        Assert.False(h.Engine.Status.Demotion.Held);
    }

    [Fact]
    public void Start_as_master_turns_promiscuous_on_activates_and_undemotes_at_once()
    {
        var h = new EngineHarness();

        var effects = h.Start(LinkState.Up, demoted: true);

        Assert.Equal(RunState.Master, h.Engine.RunState);
        Assert.Equal([new AdjustCarpDemotion("carp", +1), new AdjustCarpDemotion("carp", -1)], Demotions(effects));
        Assert.Contains(new SetPromiscuous(true), effects);
        Assert.Contains(new ControlDaemon(DaemonKind.Isakmpd, true), effects);
        Assert.Contains(effects, e => e is CancelTimer { Timer: EngineTimer.UndemoteDeadline });
        Assert.Equal("we are MASTER", h.Engine.Status.Demotion.ReleaseReason);
    }

    [Theory]
    [InlineData(LinkState.Unknown, RunState.Init)]
    [InlineData(LinkState.Invalid, RunState.Init)]
    [InlineData(LinkState.KeepAliveDown, RunState.Fail)]
    [InlineData(LinkState.FullDuplex, RunState.Master)]
    public void The_run_state_follows_the_carp_link_state(LinkState link, RunState expected)
    {
        var h = new EngineHarness();
        h.Start(link);
        Assert.Equal(expected, h.Engine.RunState);
    }

    [Theory]
    [InlineData(DaemonControlMode.Isakmpd, new[] { DaemonKind.Isakmpd })]
    [InlineData(DaemonControlMode.Iked, new[] { DaemonKind.Iked })]
    [InlineData(DaemonControlMode.All, new[] { DaemonKind.Isakmpd, DaemonKind.Iked })]
    [InlineData(DaemonControlMode.None, new DaemonKind[0])]
    public void Control_setting_picks_the_daemons(DaemonControlMode mode, DaemonKind[] expected)
    {
        var h = new EngineHarness(s => s with { Control = mode });
        var effects = h.Start(LinkState.Up);
        Assert.Equal(expected.Select(d => new ControlDaemon(d, true)), effects.OfType<ControlDaemon>());
    }

    [Theory]
    [InlineData(RunMode.Master, RunState.Master)]
    [InlineData(RunMode.Slave, RunState.Slave)]
    public void A_locked_mode_ignores_carp(RunMode mode, RunState locked)
    {
        var h = new EngineHarness(s => s with { Mode = mode });
        h.Start(mode == RunMode.Master ? LinkState.Down : LinkState.Up);
        Assert.Equal(locked, h.Engine.RunState);

        var effects = h.Handle(new CarpStateChanged(mode == RunMode.Master ? LinkState.Down : LinkState.Up));

        Assert.Equal(locked, h.Engine.RunState);
        Assert.Empty(Without<Log>(effects));
        Assert.True(h.Engine.Status.RunStateLocked);
    }

    [Fact]
    public void A_carp_change_switches_promiscuous_and_daemon_reconnects_and_tells_every_peer()
    {
        var h = new EngineHarness(peers: ["peer-a", "peer-b"]);
        h.Start(LinkState.Down);
        h.Connect("peer-a");
        h.Connect("peer-b");

        var effects = h.Handle(new CarpStateChanged(LinkState.Up));

        Assert.Equal(RunState.Master, h.Engine.RunState);
        Assert.Contains(new SetPromiscuous(true), effects);
        Assert.Contains(new ControlDaemon(DaemonKind.Isakmpd, true), effects);
        Assert.Contains(effects, e => e is ConnectMissingPeers);
        Assert.Equal([ControlMessage.StateOf(RunState.Master)], ControlsTo("peer-a", effects));
        Assert.Equal([ControlMessage.StateOf(RunState.Master)], ControlsTo("peer-b", effects));

        var back = h.Handle(new CarpStateChanged(LinkState.Down));
        Assert.Contains(new SetPromiscuous(false), back);
        Assert.Contains(new ControlDaemon(DaemonKind.Isakmpd, false), back);
        Assert.Equal([ControlMessage.StateOf(RunState.Slave)], ControlsTo("peer-a", back));
    }

    [Fact]
    public void A_carp_report_of_the_same_state_changes_nothing()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        h.Connect("peer-a");
        Assert.Empty(h.Handle(new CarpStateChanged(LinkState.FullDuplex)));
    }
}
