using Sasync.Core;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using static Sasync.Tests.Sync.EngineHarness;

namespace Sasync.Tests.Sync;

public class SyncEnginePeersChangedTests
{
    private static readonly AdjustCarpDemotion Undemote = new("carp", -1);

    [Fact]
    public void A_removed_peer_leaves_the_status_and_no_longer_holds_the_undemote_back()
    {
        var h = new EngineHarness(peers: ["peer-a", "peer-b"]);
        h.Start(LinkState.Down, demoted: true);
        h.Connect("peer-a");
        h.Connect("peer-b"); // connected, but never says its state
        h.State("peer-a", RunState.Slave);
        Assert.True(h.Engine.Status.Demotion.Held);

        var effects = h.Handle(new PeersChanged(["peer-a"]));

        Assert.Equal([Undemote], Demotions(effects));
        Assert.Equal(["peer-a"], h.Engine.Status.Peers.Select(p => p.Name));
        Assert.Equal("no MASTER among the peers", h.Engine.Status.Demotion.ReleaseReason);
    }

    [Fact]
    public void A_new_peer_appears_in_file_order_and_then_counts_for_the_undemote()
    {
        var h = new EngineHarness(peers: ["peer-b"]);
        h.Start(LinkState.Down, demoted: true);

        h.Handle(new PeersChanged(["peer-a", "peer-b"]));

        Assert.Equal(["peer-a", "peer-b"], h.Engine.Status.Peers.Select(p => p.Name));
        Assert.All(h.Engine.Status.Peers, p => Assert.False(p.Connected));
        h.Connect("peer-b");
        Assert.Empty(Demotions(h.State("peer-b", RunState.Slave))); // peer-a has yet to be heard from
        h.Connect("peer-a");
        Assert.Equal([Undemote], Demotions(h.State("peer-a", RunState.Slave)));
    }

    [Fact]
    public void Frames_from_a_removed_peer_are_ignored_and_its_counters_start_over_when_it_returns()
    {
        var h = new EngineHarness(peers: ["peer-a", "peer-b"]);
        h.Start(LinkState.Up);
        h.Connect("peer-b");
        h.State("peer-b", RunState.Slave);
        h.Handle(new PeersChanged(["peer-a"]));

        Assert.Empty(Without<Log>(h.State("peer-b", RunState.Slave)));
        h.Handle(new PeersChanged(["peer-a", "peer-b"]));
        Assert.Equal(0, h.Engine.Status.Peers.Single(p => p.Name == "peer-b").FramesReceived);
    }
}
