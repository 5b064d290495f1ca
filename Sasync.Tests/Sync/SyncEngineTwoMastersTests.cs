using Sasync.Core;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using static Sasync.Tests.PfKey.TestMessages;

namespace Sasync.Tests.Sync;

/// <summary>
/// Two MASTERs at once (a carp split): what a slave took from the one that steps down must not outlive it. These
/// rules were found by the cluster simulator (seeds 163, 601); here each is pinned at the engine.
/// </summary>
public class SyncEngineTwoMastersTests
{
    [Fact]
    public void A_slave_that_took_a_second_masters_data_closes_its_session_with_the_remaining_master_when_the_second_steps_down()
    {
        var h = new EngineHarness(peers: ["peer-a", "peer-b"]);
        h.Start(LinkState.Down);
        h.Connect("peer-a");
        h.State("peer-a", RunState.Master);
        h.Connect("peer-b");
        h.State("peer-b", RunState.Master);

        // Data from peer-b while peer-a is MASTER too: peer-a never saw it.
        Assert.Single(h.PfKey("peer-b", EspSa(SadbMessageType.Add, 7, pid: 555, seq: 1)).OfType<WriteToKernel>());
        var effects = h.State("peer-b", RunState.Slave);

        var close = Assert.Single(effects.OfType<RestartPeerSession>());
        Assert.Equal("peer-a", close.Peer);
        // Only once: a later state from peer-b changes nothing more.
        Assert.Empty(h.State("peer-b", RunState.Slave).OfType<RestartPeerSession>());
    }

    [Fact]
    public void A_slave_that_took_data_from_the_only_master_keeps_its_sessions()
    {
        var h = new EngineHarness(peers: ["peer-a", "peer-b"]);
        h.Start(LinkState.Down);
        h.Connect("peer-a");
        h.State("peer-a", RunState.Slave);
        h.Connect("peer-b");
        h.State("peer-b", RunState.Master);

        h.PfKey("peer-b", EspSa(SadbMessageType.Add, 7, pid: 555, seq: 1));

        Assert.Empty(h.State("peer-b", RunState.Slave).OfType<RestartPeerSession>());
    }
}
