using Sasync.Core;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using Sasync.Core.Wire;
using Sasync.Core.PfKey;
using static Sasync.Tests.PfKey.TestMessages;
using static Sasync.Tests.Sync.EngineHarness;

namespace Sasync.Tests.Sync;

public class SyncEngineDemotionTests
{
    private static readonly AdjustCarpDemotion Undemote = new("carp", -1);

    [Fact]
    public void Undemotes_exactly_once_when_the_snapshot_from_the_master_completes()
    {
        var h = new EngineHarness();
        var effects = h.Start(LinkState.Down, demoted: true).ToList();
        effects.AddRange(h.Connect("peer-a"));
        effects.AddRange(h.State("peer-a", RunState.Master));
        Assert.DoesNotContain(Undemote, Demotions(effects));

        var done = h.Control("peer-a", ControlMessage.EndSnapshot);
        var doneAt = h.Time.GetUtcNow();
        var again = h.Control("peer-a", ControlMessage.EndSnapshot).ToList();
        again.AddRange(h.Advance(TimeSpan.FromSeconds(61), effects));

        Assert.Equal([Undemote], Demotions(done));
        Assert.Contains(done, e => e is CancelTimer { Timer: EngineTimer.UndemoteDeadline });
        Assert.Empty(Demotions(again));
        Assert.False(h.Engine.Status.Demotion.Held);
        Assert.Contains("peer-a", h.Engine.Status.Demotion.ReleaseReason, StringComparison.Ordinal);
        Assert.Equal(doneAt, h.Engine.Status.Peers.Single().LastSnapshotReceivedAt);
    }

    [Fact]
    public void The_snapshot_counts_as_complete_only_once_the_kernel_has_taken_every_message_before_endsnap()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down, demoted: true);
        h.Connect("peer-a");
        h.State("peer-a", RunState.Master);
        var writes = h.PfKey("peer-a", EspSa(SadbMessageType.Add, 7, pid: 555)).Concat(h.PfKey("peer-a", EspSa(SadbMessageType.Add, 8, pid: 555)))
            .OfType<WriteToKernel>().ToList();
        Assert.Equal(2, writes.Count);

        Assert.Empty(Demotions(h.Control("peer-a", ControlMessage.EndSnapshot)));
        Assert.Empty(Demotions(h.Handle(new KernelWriteCompleted("peer-a", SadbMessageType.Add, null))));
        Assert.True(h.Engine.Status.Demotion.Held);
        // A refused write still counts as taken: waiting longer would not change the kernel's answer.
        Assert.Equal([Undemote], Demotions(h.Handle(new KernelWriteCompleted("peer-a", SadbMessageType.Add, new KernelFailure(KernelFailureKind.Refused, OpenBsdErrno.EEXIST, "EEXIST")))));
    }

    [Fact]
    public void Endsnap_from_a_peer_not_known_as_master_does_not_undemote()
    {
        var h = new EngineHarness(peers: ["peer-a", "peer-b"]);
        h.Start(LinkState.Down, demoted: true);
        h.Connect("peer-a");
        h.Connect("peer-b");
        h.State("peer-b", RunState.Master);

        Assert.Empty(Demotions(h.Control("peer-a", ControlMessage.EndSnapshot)));
        Assert.Equal(1, h.Engine.Status.Peers[0].SnapshotsReceived);
        Assert.True(h.Engine.Status.Demotion.Held);
    }

    [Fact]
    public void With_three_hosts_the_master_snapshot_is_enough()
    {
        var h = new EngineHarness(peers: ["peer-a", "peer-b"]);
        h.Start(LinkState.Down, demoted: true);
        h.Connect("peer-a");
        h.State("peer-a", RunState.Master); // peer-b never shows up

        Assert.Equal([Undemote], Demotions(h.Control("peer-a", ControlMessage.EndSnapshot)));
    }

    [Fact]
    public void Undemotes_after_60_s_at_the_latest()
    {
        var h = new EngineHarness();
        var armed = h.Start(LinkState.Down, demoted: true).ToList();
        armed.AddRange(h.Connect("peer-a"));
        armed.AddRange(h.State("peer-a", RunState.Master)); // a master that never finishes its snapshot

        var deadline = armed.OfType<ArmTimer>().Single(a => a.Timer == EngineTimer.UndemoteDeadline);
        Assert.Empty(Demotions(h.Advance(TimeSpan.FromSeconds(59), armed)));
        Assert.Empty(Demotions(h.Handle(new TimerFired(EngineTimer.UndemoteDeadline, deadline.Generation + 1)))); // not the armed one
        Assert.Equal([Undemote], Demotions(h.Advance(TimeSpan.FromSeconds(1), armed)));
        Assert.Equal(h.Time.GetUtcNow(), h.Engine.Status.Demotion.ReleasedAt);
    }

    [Fact]
    public void Undemotes_at_once_when_every_peer_reported_and_none_is_master()
    {
        var h = new EngineHarness(peers: ["peer-a", "peer-b"]);
        h.Start(LinkState.Down, demoted: true);
        h.Connect("peer-a");
        h.Connect("peer-b");
        Assert.Empty(Demotions(h.State("peer-a", RunState.Slave)));

        Assert.Equal([Undemote], Demotions(h.State("peer-b", RunState.Init)));
    }

    [Fact]
    public void Undemotes_after_the_grace_period_when_the_reachable_peers_have_no_master()
    {
        var h = new EngineHarness(peers: ["peer-a", "peer-b"]);
        var armed = h.Start(LinkState.Down, demoted: true).ToList();
        h.Connect("peer-a");
        Assert.Empty(Demotions(h.State("peer-a", RunState.Slave)));

        var effects = h.Advance(TimeSpan.FromSeconds(5), armed);

        Assert.Equal([Undemote], Demotions(effects));
        Assert.Equal("no MASTER among the peers", h.Engine.Status.Demotion.ReleaseReason);
    }

    [Fact]
    public void Waits_for_connected_peers_to_report_even_after_the_grace_period()
    {
        var h = new EngineHarness();
        var armed = h.Start(LinkState.Down, demoted: true).ToList();
        h.Connect("peer-a");
        Assert.Empty(Demotions(h.Advance(TimeSpan.FromSeconds(5), armed)));

        Assert.Equal([Undemote], Demotions(h.State("peer-a", RunState.Slave)));
    }

    [Fact]
    public void A_master_that_goes_away_mid_snapshot_no_longer_holds_us_down_after_the_grace_period()
    {
        var h = new EngineHarness();
        var armed = h.Start(LinkState.Down, demoted: true).ToList();
        h.Connect("peer-a");
        h.State("peer-a", RunState.Master);
        Assert.Empty(Demotions(h.Advance(TimeSpan.FromSeconds(5), armed)));

        Assert.Equal([Undemote], Demotions(h.Handle(new PeerDisconnected("peer-a", "crashed"))));
    }

    [Fact]
    public void Becoming_master_undemotes()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down, demoted: true);
        h.Connect("peer-a");
        Assert.Equal([Undemote], Demotions(h.Handle(new CarpStateChanged(LinkState.Up))));
    }
}
