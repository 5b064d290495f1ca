using Sasync.Core;
using Sasync.Core.Net;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using Sasync.Core.Sync.Digest;
using Sasync.Core.Wire;
using static Sasync.Tests.PfKey.TestMessages;
using static Sasync.Tests.Sync.EngineHarness;

namespace Sasync.Tests.Sync;

/// <summary>SyncEngine's D1: a dump asked for and no longer counted on is abandoned at once, and only such a dump.</summary>
public class SyncEngineAbandonedDumpTests
{
    private static KernelDump Dump => SampleKernelDump.Both;

    private static IReadOnlyList<EngineEffect> Digest(EngineHarness h, string peer, uint epoch, SnapshotDigest digest) =>
        h.Handle(new PeerFrameReceived(peer, WireMessageType.Control, new DigestMessage(epoch, digest).ToBytes()));

    private static (EngineHarness H, IReadOnlyList<EngineEffect> Effects, RequestKernelDump Dump) MasterAwaitingDigest()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        h.ConnectExtended("peer-a");
        var effects = h.State("peer-a", RunState.Slave);
        return (h, effects, effects.OfType<RequestKernelDump>().Single());
    }

    private static List<long> Abandoned(IEnumerable<EngineEffect> effects) =>
        [.. effects.OfType<AbandonKernelDump>().Where(a => a.Peer == "peer-a").Select(a => a.RequestId)];

    [Fact]
    public void A_peer_that_holds_nothing_has_our_digest_dump_abandoned_before_the_snapshot_dump_is_asked_for()
    {
        var (h, _, digestDump) = MasterAwaitingDigest();

        var effects = Digest(h, "peer-a", 1, SnapshotDigest.Empty).ToList();

        Assert.Equal([digestDump.RequestId], Abandoned(effects));
        var abandonAt = effects.FindIndex(e => e is AbandonKernelDump);
        var requestAt = effects.FindIndex(e => e is RequestKernelDump { Use: KernelDumpUse.Snapshot });
        Assert.InRange(abandonAt, 0, requestAt - 1);
    }

    [Fact]
    public void A_peer_that_holds_nothing_after_our_digest_came_abandons_nothing()
    {
        var (h, _, digestDump) = MasterAwaitingDigest();
        h.Dumped(digestDump, Dump);

        var effects = Digest(h, "peer-a", 1, SnapshotDigest.Empty);

        Assert.Empty(Abandoned(effects));
        Assert.Single(effects.OfType<RequestKernelDump>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void No_digest_in_time_abandons_nothing_and_waits_while_our_digest_dump_is_under_way(bool dumpFirst)
    {
        var (h, armed, digestDump) = MasterAwaitingDigest();
        if (dumpFirst)
        {
            h.Dumped(digestDump, Dump);
        }

        var effects = h.Advance(TimeSpan.FromSeconds(2), armed);

        Assert.Empty(Abandoned(effects));
        Assert.Equal(dumpFirst ? 1 : 0, effects.OfType<RequestKernelDump>().Count());
    }

    [Fact]
    public void A_digest_mismatch_after_our_digest_dump_ended_abandons_nothing()
    {
        var (h, _, digestDump) = MasterAwaitingDigest();
        var different = DigestOf(new KernelDump(SampleKernelDump.Sadb, ReadOnlyMemory<byte>.Empty));

        var effects = Digest(h, "peer-a", 1, different).Concat(h.Dumped(digestDump, Dump)).ToList();

        Assert.Empty(Abandoned(effects));
        Assert.Single(effects.OfType<RequestKernelDump>(), r => r.Use == KernelDumpUse.Snapshot);
    }

    [Fact]
    public void Stepping_down_abandons_the_snapshot_dump_under_way_but_not_one_read_to_its_end()
    {
        var h = new EngineHarness(peers: ["peer-a", "peer-b", "peer-c"]);
        h.Start(LinkState.Up);
        h.AwaitSnapshot("peer-b");
        var request = h.AwaitSnapshot("peer-a");
        var finished = h.Handle(new PeerConnected("peer-c", PeerDirection.Outbound, []));
        var done = h.State("peer-c", RunState.Slave).OfType<RequestKernelDump>().Single();
        h.Dumped(done, Dump);

        var effects = h.Handle(new CarpStateChanged(LinkState.Down));

        var abandoned = effects.OfType<AbandonKernelDump>().ToList();
        Assert.Equal(2, abandoned.Count);
        Assert.Contains(new AbandonKernelDump("peer-a", request.RequestId), abandoned);
        Assert.DoesNotContain(abandoned, a => a.Peer == "peer-c");
        Assert.Empty(finished.OfType<AbandonKernelDump>());
    }

    [Fact]
    public void A_session_that_ends_mid_snapshot_has_its_dump_abandoned()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        var request = h.AwaitSnapshot("peer-a");

        var effects = h.Handle(new PeerDisconnected("peer-a", "gone"));

        Assert.Equal([new AbandonKernelDump("peer-a", request.RequestId)], effects.OfType<AbandonKernelDump>());
    }

    [Fact]
    public void A_restart_for_too_many_held_changes_abandons_the_dump_it_replaces()
    {
        var h = new EngineHarness(options: new EngineOptions { Pid = OurPid, MaxHeldRelays = 1 });
        h.Start(LinkState.Up);
        var first = h.AwaitSnapshot("peer-a");
        h.Kernel(Wrap(IkePid, EspSa(SadbMessageType.Add, 11, IkePid)));

        var effects = h.Kernel(Wrap(IkePid, EspSa(SadbMessageType.Add, 12, IkePid)));

        Assert.Equal([first.RequestId], Abandoned(effects));
        Assert.NotEqual(first.RequestId, effects.OfType<RequestKernelDump>().Single().RequestId);
    }

    [Fact]
    public void A_joining_node_that_becomes_master_abandons_its_digest_dump()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down);
        h.ConnectExtended("peer-a");
        var request = h.State("peer-a", RunState.Master).OfType<RequestKernelDump>().Single();

        var effects = h.Handle(new CarpStateChanged(LinkState.Up));

        Assert.Equal([request.RequestId], Abandoned(effects));
        Assert.Empty(h.Dumped(request, Dump).OfType<SendDigest>()); // one that comes all the same stays unsent
    }

    [Fact]
    public void A_joining_node_whose_session_ends_abandons_its_digest_dump_and_one_sent_abandons_nothing()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down);
        h.ConnectExtended("peer-a");
        var sent = h.State("peer-a", RunState.Master).OfType<RequestKernelDump>().Single();
        Assert.Single(h.Dumped(sent, Dump).OfType<SendDigest>());
        h.State("peer-a", RunState.Slave);
        var again = h.State("peer-a", RunState.Master);
        Assert.Empty(Abandoned(again)); // the first one was read to its end
        var pending = again.OfType<RequestKernelDump>().Single();

        var effects = h.Handle(new PeerDisconnected("peer-a", "gone"));

        Assert.Equal([pending.RequestId], Abandoned(effects));
    }
}
