using Sasync.Core.Config;
using Sasync.Core.Platform;
using Sasync.Core.Simulation.Cluster;

namespace Sasync.Tests.Simulation.Cluster;

/// <summary>Hand-made cluster runs on the simulator's parts, for the faults issue 10 names.</summary>
public sealed class ScriptedClusterTests
{
    private static readonly SharedKey Key = new(Enumerable.Repeat((byte)0x11, 32).ToArray());
    private static readonly SharedKey OtherKey = new(Enumerable.Repeat((byte)0x22, 32).ToArray());

    [Theory]
    [InlineData(SessionRulesKind.Current, 0, 20)]
    [InlineData(SessionRulesKind.Legacy, 200, int.MaxValue)]
    public void A_key_mismatch_costs_a_bounded_number_of_sessions(SessionRulesKind rules, int atLeast, int atMost)
    {
        var context = ClusterContext.Create(seed: 5, trace: false, rules, stormLimit: int.MaxValue);
        var one = new ClusterNode(1, NodeKind.SasyncdCs, context, [ClusterNode.AddressOf(2)], Key);
        var two = new ClusterNode(2, NodeKind.SasyncdCs, context, [ClusterNode.AddressOf(1)], OtherKey);
        one.Host.Carp.Set(LinkState.Up);
        one.Start();
        two.Start();

        context.Scheduler.RunUntil(TimeSpan.FromSeconds(10), maxActions: 2_000_000);

        var (sessions, _, _) = context.Observations.MostSessionsPerMinute();
        Assert.InRange(sessions, atLeast, atMost);
    }

    [Fact]
    public void Once_the_key_is_fixed_the_backup_gets_the_masters_sas()
    {
        var context = ClusterContext.Create(seed: 9, trace: false, SessionRulesKind.Current, stormLimit: int.MaxValue);
        var one = new ClusterNode(1, NodeKind.SasyncdCs, context, [ClusterNode.AddressOf(2)], Key);
        var two = new ClusterNode(2, NodeKind.SasyncdCs, context, [ClusterNode.AddressOf(1)], OtherKey);
        one.Host.Carp.Set(LinkState.Up);
        one.Start();
        two.Start();
        var ike = new IkeActor(one, context.Random, context.Trace);
        ike.Start(context.Scheduler);
        context.Scheduler.RunUntil(TimeSpan.FromSeconds(30));
        Assert.True(one.Host.Kernel.SaCount > 3);
        Assert.Equal(0, two.Host.Kernel.SaCount);

        two.ChangeKey(Key);
        ike.Working = false;
        context.Scheduler.RunUntil(TimeSpan.FromSeconds(70));

        Assert.Equal(one.Host.Kernel.Sas.Select(sa => sa.Spi).Order(), two.Host.Kernel.Sas.Select(sa => sa.Spi).Order());
    }

    [Fact]
    public void A_wall_clock_stepped_back_after_a_reboot_does_not_keep_the_demotion_for_good()
    {
        // Issue 10, problem 7: a timer checked against the wall clock was dropped as early.
        var context = ClusterContext.Create(seed: 11, trace: false, SessionRulesKind.Current, stormLimit: int.MaxValue);
        var one = new ClusterNode(1, NodeKind.SasyncdCs, context, [ClusterNode.AddressOf(2)], Key);
        var two = new ClusterNode(2, NodeKind.SasyncdCs, context, [ClusterNode.AddressOf(1)], Key);
        one.Host.Carp.Set(LinkState.Up);
        one.Start();
        two.Start();
        context.Scheduler.RunUntil(TimeSpan.FromSeconds(10));

        // node2 reboots cut off from node1, so nothing but its timers can release the demotion.
        context.Network.Partition(one.Address, two.Address, oneWay: false);
        two.Reboot(TimeSpan.FromSeconds(1), rcUndemoteAfter: TimeSpan.FromSeconds(2), graceful: true);
        context.Scheduler.RunUntil(TimeSpan.FromSeconds(11.5));
        two.StepWallClock(TimeSpan.FromSeconds(-120));
        context.Scheduler.RunUntil(TimeSpan.FromSeconds(80));

        Assert.False(two.Status!.Demotion.Held);
        Assert.Equal(0, two.Host.CarpGroup.Get(ClusterNode.CarpGroup));
    }

    [Theory]
    [InlineData(SessionRulesKind.Current, true)]
    [InlineData(SessionRulesKind.Legacy, false)]
    public void An_original_that_restarts_while_we_are_paused_keeps_getting_the_stream(SessionRulesKind rules, bool synced)
    {
        // Issue 10, problem 1: both connections come up together; the original talks on the one it accepted last.
        var context = ClusterContext.Create(seed: 13, trace: false, rules, stormLimit: int.MaxValue);
        var original = new ClusterNode(1, NodeKind.Original, context, [ClusterNode.AddressOf(2)], Key);
        var ours = new ClusterNode(2, NodeKind.SasyncdCs, context, [ClusterNode.AddressOf(1)], Key);
        original.Host.Carp.Set(LinkState.Up);
        original.Start();
        ours.Start();
        var ike = new IkeActor(original, context.Random, context.Trace);
        ike.Start(context.Scheduler);
        context.Scheduler.RunUntil(TimeSpan.FromSeconds(10));

        ours.Pause();
        original.Kill(graceful: true);
        context.Scheduler.RunUntil(TimeSpan.FromSeconds(10.05));
        original.Start();
        context.Scheduler.RunUntil(TimeSpan.FromSeconds(10.3));
        ours.Resume();
        context.Scheduler.RunUntil(TimeSpan.FromSeconds(60));
        ike.Working = false;
        context.Scheduler.RunUntil(TimeSpan.FromSeconds(70));

        var master = original.Host.Kernel.Sas.Select(sa => sa.Spi).Order().ToList();
        Assert.True(master.Count > 5);
        Assert.Equal(synced, master.SequenceEqual(ours.Host.Kernel.Sas.Select(sa => sa.Spi).Order()));
    }

    [Fact]
    public void In_a_mixed_cluster_the_sasyncd_cs_pair_runs_extended_the_original_stays_legacy_and_all_converge()
    {
        var context = ClusterContext.Create(seed: 21, trace: false, SessionRulesKind.Current, stormLimit: int.MaxValue);
        string[] all = [ClusterNode.AddressOf(1), ClusterNode.AddressOf(2), ClusterNode.AddressOf(3)];
        var original = new ClusterNode(1, NodeKind.Original, context, [all[1], all[2]], Key);
        var two = new ClusterNode(2, NodeKind.SasyncdCs, context, [all[0], all[2]], Key);
        var three = new ClusterNode(3, NodeKind.SasyncdCs, context, [all[0], all[1]], Key);
        two.Host.Carp.Set(LinkState.Up);
        foreach (var node in new[] { original, two, three })
        {
            node.Start();
        }

        var ike = new IkeActor(two, context.Random, context.Trace);
        ike.Start(context.Scheduler);
        context.Scheduler.RunUntil(TimeSpan.FromSeconds(60));
        ike.Working = false;
        context.Scheduler.RunUntil(TimeSpan.FromSeconds(75));

        Assert.Equal(Core.Net.PeerChannel.Extended, two.Sessions![three.Address].Channel);
        Assert.Equal(Core.Net.PeerChannel.Extended, three.Sessions![two.Address].Channel);
        Assert.Equal(Core.Net.PeerChannel.Legacy, two.Sessions[original.Address].Channel);
        Assert.Equal(Core.Net.PeerChannel.Legacy, three.Sessions[original.Address].Channel);
        Assert.Equal(Core.Sessions.PeerKind.Original, two.Sessions[original.Address].Kind);
        var sas = two.Host.Kernel.Sas.Select(sa => sa.Spi).Order().ToList();
        Assert.NotEmpty(sas);
        Assert.Equal(sas, three.Host.Kernel.Sas.Select(sa => sa.Spi).Order());
        Assert.Equal(sas, original.Host.Kernel.Sas.Select(sa => sa.Spi).Order());
    }
}
