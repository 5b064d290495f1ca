using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Platform;
using Sasync.Core.Sync;

namespace Sasync.Tests.Hosting;

public class NodeCoreOrderingTests
{
    private static NodeCoreHarness Gated(out GatedNodeIo io, DaemonControlMode control = DaemonControlMode.Iked)
    {
        GatedNodeIo? made = null;
        var h = new NodeCoreHarness(s => s with { Control = control }, h => made = new GatedNodeIo(new SynchronousNodeIo(h.Platform, h.Posted.Enqueue), h.Posted.Enqueue));
        io = made!;
        return h;
    }

    [Fact]
    public void A_carp_flap_with_a_slow_daemon_ends_in_the_last_state_one_call_at_a_time()
    {
        using var h = Gated(out var io);
        h.Start(LinkState.Up);
        foreach (var state in new[] { LinkState.Down, LinkState.Up, LinkState.Down, LinkState.Up, LinkState.Down })
        {
            h.Handle(new CarpStateChanged(state));
        }

        while (io.DaemonCallsUnderWay.Count > 0)
        {
            io.CompleteDaemonCall();
            h.Pump();
        }

        Assert.Equal(1, io.MostDaemonCallsUnderWay);
        Assert.Equal([(DaemonKind.Iked, true), (DaemonKind.Iked, false)], io.DaemonCalls);
        Assert.Equal(RunState.Slave, h.Engine.RunState);
    }

    [Fact]
    public void A_request_queued_behind_a_slow_call_is_replaced_by_a_newer_one()
    {
        using var h = Gated(out var io);
        h.Start(LinkState.Down); // passive under way
        h.Handle(new CarpStateChanged(LinkState.Up)); // active queued
        h.Handle(new CarpStateChanged(LinkState.Down)); // passive: the queued active is dropped, passive is under way already
        h.Handle(new CarpStateChanged(LinkState.Up)); // active queued again

        io.CompleteDaemonCall(new DaemonControlFailure(DaemonControlFailureKind.Unreachable, "late failure of passive"));
        h.Pump();
        io.CompleteDaemonCall();
        h.Pump();

        Assert.Equal([(DaemonKind.Iked, false), (DaemonKind.Iked, true)], io.DaemonCalls);
        Assert.Equal(0, h.Engine.Counters.DaemonControlErrors); // the failure was of a state we have left
    }

    [Fact]
    public void Each_daemon_has_its_own_queue()
    {
        using var h = Gated(out var io, DaemonControlMode.All);
        h.Start(LinkState.Up);

        Assert.Equal(2, io.DaemonCallsUnderWay.Count);
        Assert.Equal(1, io.MostDaemonCallsUnderWay);
    }

    [Fact]
    public void Demotion_changes_are_applied_in_order_one_at_a_time_and_coalesced()
    {
        using var h = Gated(out var io);
        h.Start(LinkState.Down, demoted: true); // +1 under way
        h.Handle(new CarpStateChanged(LinkState.Up)); // MASTER: undemote, -1 waits

        Assert.Equal([("carp", +1)], io.DemotionCalls);
        io.CompleteDemotionCall();
        h.Pump();
        Assert.Equal([("carp", +1), ("carp", -1)], io.DemotionCalls);
        io.CompleteDemotionCall();
        h.Pump();

        Assert.Equal(1, io.MostDemotionCallsUnderWay);
        Assert.Empty(io.DemotionCallsUnderWay);
    }
}
