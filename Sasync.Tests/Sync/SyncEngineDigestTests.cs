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

/// <summary>Resync by digest, rule by rule (SyncEngine's J1-J2 for the joining node, M1-M4 for the MASTER).</summary>
public class SyncEngineDigestTests
{
    private static KernelDump Dump => SampleKernelDump.Both;

    // The same SAs without the flow: a peer that lacks one.
    private static KernelDump DumpWithoutFlow => new(SampleKernelDump.Sadb, ReadOnlyMemory<byte>.Empty);

    // The dumps it asks for on the way (a full snapshot's after a mismatch) answered with Dump, as a host would.
    private static IReadOnlyList<EngineEffect> SendDigest(EngineHarness h, string peer, uint epoch, SnapshotDigest digest) =>
        WithDumps(h, h.Handle(new PeerFrameReceived(peer, WireMessageType.Control, new DigestMessage(epoch, digest).ToBytes())));

    private static List<EngineEffect> WithDumps(EngineHarness h, IEnumerable<EngineEffect> effects)
    {
        var all = new List<EngineEffect>();
        foreach (var effect in effects)
        {
            all.Add(effect);
            if (effect is RequestKernelDump next)
            {
                all.AddRange(WithDumps(h, h.Dumped(next, Dump)));
            }
        }

        return all;
    }

    /// <summary>A MASTER with an extended session to peer-a, which reported SLAVE: the snapshot waits for its digest; our dump is asked for.</summary>
    private static (EngineHarness H, IReadOnlyList<EngineEffect> Effects, RequestKernelDump Dump) MasterAwaitingDigest(EngineOptions? options = null)
    {
        var h = new EngineHarness(options: options);
        h.Start(LinkState.Up);
        h.ConnectExtended("peer-a");
        var effects = h.State("peer-a", RunState.Slave);
        return (h, effects, effects.OfType<RequestKernelDump>().Single());
    }

    private static IReadOnlyList<EngineEffect> Dumped(EngineHarness h, RequestKernelDump request, KernelDump dump) =>
        WithDumps(h, h.Dumped(request, dump));

    [Fact]
    public void On_an_extended_session_the_master_dumps_but_sends_nothing_before_the_digest()
    {
        var (h, effects, request) = MasterAwaitingDigest();

        Assert.Contains(effects, e => e is ArmTimer { Timer: EngineTimer.DigestWait });
        Assert.Empty(Without<Log>(Dumped(h, request, Dump)));
        Assert.False(h.Engine.Status.Peers.Single().SendingSnapshot);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Equal_digests_send_endsnap_alone_and_count_the_snapshot_as_skipped(bool dumpFirst)
    {
        var (h, _, request) = MasterAwaitingDigest();

        var effects = dumpFirst
            ? Dumped(h, request, Dump).Concat(SendDigest(h, "peer-a", 1, DigestOf(Dump))).ToList()
            : SendDigest(h, "peer-a", 1, DigestOf(Dump)).Concat(Dumped(h, request, Dump)).ToList();

        Assert.Empty(PfKeyTo("peer-a", effects));
        Assert.Equal([ControlMessage.EndSnapshot], ControlsTo("peer-a", effects));
        var status = h.Engine.Status.Peers.Single();
        Assert.Equal((1, 1, 1, 0L), (status.SnapshotsSent, status.SnapshotsSkippedByDigest, status.DigestsReceived, status.LastSnapshotMessages));
    }

    [Fact]
    public void Changes_held_while_waiting_for_the_digest_go_out_before_the_lone_endsnap()
    {
        var (h, _, request) = MasterAwaitingDigest();
        var delete = Message(SadbMessageType.Delete, SadbSaType.Esp, 1, IkePid, Sa(1), Address(SadbExtensionType.AddressDst, "192.0.2.2"));

        Assert.Empty(PfKeyTo("peer-a", h.Kernel(Wrap(IkePid, delete))));
        Dumped(h, request, Dump);
        var sends = SendDigest(h, "peer-a", 1, DigestOf(Dump)).Where(e => e is SendPfKey or SendControl).ToList();

        Assert.Equal(2, sends.Count);
        Assert.Equal(delete, ((SendPfKey)sends[0]).Message.ToArray());
        Assert.Equal(new SendControl("peer-a", ControlMessage.EndSnapshot), sends[1]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Different_digests_send_the_full_snapshot(bool dumpFirst)
    {
        var (h, _, request) = MasterAwaitingDigest();

        var effects = dumpFirst
            ? Dumped(h, request, Dump).Concat(SendDigest(h, "peer-a", 1, DigestOf(DumpWithoutFlow))).ToList()
            : SendDigest(h, "peer-a", 1, DigestOf(DumpWithoutFlow)).Concat(Dumped(h, request, Dump)).ToList();

        Assert.Equal(
            [SadbMessageType.Flush, SadbMessageType.Add, SadbMessageType.Add, SadbMessageType.XAddFlow],
            PfKeyTo("peer-a", effects).Select(m => SadbHeader.Read(m).Type));
        Assert.Equal([ControlMessage.EndSnapshot], ControlsTo("peer-a", effects));
        var status = h.Engine.Status.Peers.Single();
        Assert.Equal((1, 0, 1, 4L), (status.SnapshotsSent, status.SnapshotsSkippedByDigest, status.DigestMismatches, status.LastSnapshotMessages));
    }

    [Fact]
    public void A_peer_that_holds_nothing_gets_the_full_snapshot_without_waiting_for_our_digest()
    {
        var (h, _, digestDump) = MasterAwaitingDigest();

        // Our digest's dump is not back: the snapshot starts from a dump of its own at once.
        var effects = h.Handle(new PeerFrameReceived("peer-a", WireMessageType.Control, new DigestMessage(1, SnapshotDigest.Empty).ToBytes()));
        var snapshotDump = effects.OfType<RequestKernelDump>().Single();
        Assert.NotEqual(digestDump.RequestId, snapshotDump.RequestId);
        Assert.Equal(4, PfKeyTo("peer-a", Dumped(h, snapshotDump, Dump)).Count);

        // The digest's dump that comes back after it is stale: nothing more goes out.
        Assert.Empty(PfKeyTo("peer-a", Dumped(h, digestDump, Dump)));
        var status = h.Engine.Status.Peers.Single();
        Assert.Equal((1, 0), (status.SnapshotsSent, status.SnapshotsSkippedByDigest));
    }

    [Fact]
    public void No_digest_in_time_sends_the_full_snapshot()
    {
        var (h, effects, request) = MasterAwaitingDigest();
        var snapshot = new List<EngineEffect>(Dumped(h, request, Dump));
        snapshot.AddRange(WithDumps(h, h.Advance(TimeSpan.FromSeconds(2), effects)));

        Assert.Equal(4, PfKeyTo("peer-a", snapshot).Count);
        Assert.Equal([ControlMessage.EndSnapshot], ControlsTo("peer-a", snapshot));
        // The digest that comes after that is stale: nothing more is dumped or sent.
        Assert.Empty(Without<Log>(SendDigest(h, "peer-a", 1, DigestOf(Dump))));
    }

    [Fact]
    public void While_our_digest_is_being_made_the_wait_goes_on_and_the_peer_then_gets_one_more_round()
    {
        var (h, effects, request) = MasterAwaitingDigest();
        var armed = h.Advance(TimeSpan.FromSeconds(2), effects).ToList();
        Assert.Empty(PfKeyTo("peer-a", armed));
        Assert.Contains(armed, e => e is ArmTimer { Timer: EngineTimer.DigestWait });

        // Ours comes 3 s in, in the second round: the peer waits to the end of the third (6 s), not the second.
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var ours = Dumped(h, request, Dump);
        Assert.Empty(PfKeyTo("peer-a", ours));
        var second = WithDumps(h, h.Advance(TimeSpan.FromSeconds(1), armed)).ToList();
        Assert.Empty(PfKeyTo("peer-a", second));
        Assert.Empty(ControlsTo("peer-a", second));

        var third = WithDumps(h, h.Advance(TimeSpan.FromSeconds(2), second));
        Assert.Equal(4, PfKeyTo("peer-a", third).Count);
        Assert.Equal([ControlMessage.EndSnapshot], ControlsTo("peer-a", third));
    }

    [Fact]
    public void A_digest_that_comes_after_the_first_round_while_ours_was_being_made_still_counts()
    {
        var (h, effects, request) = MasterAwaitingDigest();
        var armed = h.Advance(TimeSpan.FromSeconds(2), effects).ToList();
        h.Time.Advance(TimeSpan.FromSeconds(1.5));
        Dumped(h, request, Dump);

        var equal = SendDigest(h, "peer-a", 1, DigestOf(Dump));
        Assert.Empty(PfKeyTo("peer-a", equal));
        Assert.Equal([ControlMessage.EndSnapshot], ControlsTo("peer-a", equal));
        Assert.Empty(ControlsTo("peer-a", WithDumps(h, h.Advance(TimeSpan.FromSeconds(4), armed))));
    }

    [Fact]
    public void A_peer_that_joins_the_wait_late_still_gets_a_whole_round()
    {
        var h = new EngineHarness(peers: ["peer-a", "peer-b"]);
        h.Start(LinkState.Up);
        h.ConnectExtended("peer-a");
        var armed = h.State("peer-a", RunState.Slave).ToList();
        Dumped(h, armed.OfType<RequestKernelDump>().Single(), Dump);
        h.Time.Advance(TimeSpan.FromSeconds(1.5));
        h.ConnectExtended("peer-b");
        Dumped(h, h.State("peer-b", RunState.Slave).OfType<RequestKernelDump>().Single(), Dump);

        var first = WithDumps(h, h.Advance(TimeSpan.FromSeconds(0.5), armed));
        Assert.Equal(["peer-a"], first.OfType<SendControl>().Where(c => c.Message == ControlMessage.EndSnapshot).Select(c => c.Peer));
        var second = WithDumps(h, h.Advance(TimeSpan.FromSeconds(2), first));
        Assert.Equal(["peer-b"], second.OfType<SendControl>().Where(c => c.Message == ControlMessage.EndSnapshot).Select(c => c.Peer));
    }

    [Fact]
    public void A_legacy_session_never_waits_for_a_digest()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);

        var request = h.AwaitSnapshot("peer-a");

        Assert.Equal("peer-a", request.Peer);
        Assert.NotEmpty(PfKeyTo("peer-a", h.Dumped(request, Dump)));
    }

    [Fact]
    public void With_resync_by_digest_off_an_extended_session_gets_the_full_snapshot_at_once()
    {
        var (h, effects, request) = MasterAwaitingDigest(new EngineOptions { Pid = OurPid, ResyncByDigest = false });

        Assert.DoesNotContain(effects, e => e is ArmTimer { Timer: EngineTimer.DigestWait });
        Assert.Equal(4, PfKeyTo("peer-a", Dumped(h, request, Dump)).Count);
    }

    [Fact]
    public void A_digest_for_an_earlier_master_period_is_ignored_and_the_current_one_counts()
    {
        var (h, _, _) = MasterAwaitingDigest();
        h.Handle(new CarpStateChanged(LinkState.Down));
        var request = h.Handle(new CarpStateChanged(LinkState.Up)).OfType<RequestKernelDump>().Single(); // our second MASTER period on this session
        Dumped(h, request, Dump);

        Assert.Empty(Without<Log>(SendDigest(h, "peer-a", 1, DigestOf(Dump))));
        Assert.Equal([ControlMessage.EndSnapshot], ControlsTo("peer-a", SendDigest(h, "peer-a", 2, DigestOf(Dump))));
    }

    [Fact]
    public void A_digest_on_a_new_session_starts_again_from_period_one()
    {
        var (h, _, _) = MasterAwaitingDigest();
        h.Handle(new PeerDisconnected("peer-a", "reset"));
        h.ConnectExtended("peer-a");
        Dumped(h, h.State("peer-a", RunState.Slave).OfType<RequestKernelDump>().Single(), Dump);

        Assert.Equal([ControlMessage.EndSnapshot], ControlsTo("peer-a", SendDigest(h, "peer-a", 1, DigestOf(Dump))));
    }

    [Fact]
    public void A_digest_on_a_legacy_session_is_refused()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        h.AwaitSnapshot("peer-a");

        var effects = SendDigest(h, "peer-a", 1, DigestOf(Dump));

        Assert.DoesNotContain(effects, e => e is RequestKernelDump);
        Assert.Equal(1, h.Engine.Status.Counters.FramesRejected);
    }

    [Fact]
    public void A_truncated_digest_is_refused_and_counted()
    {
        var (h, _, request) = MasterAwaitingDigest();
        Dumped(h, request, Dump);
        var bytes = new DigestMessage(1, DigestOf(Dump)).ToBytes();

        var effects = h.Handle(new PeerFrameReceived("peer-a", WireMessageType.Control, bytes.AsMemory(0, 20)));

        Assert.Empty(ControlsTo("peer-a", effects));
        Assert.Equal(1, h.Engine.Status.Counters.FramesRejected);
        Assert.Equal([ControlMessage.EndSnapshot], ControlsTo("peer-a", SendDigest(h, "peer-a", 1, DigestOf(Dump)))); // the wait went on
    }

    [Fact]
    public void A_joining_node_sends_the_digest_of_its_kernel_when_the_peer_becomes_master()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down);
        h.ConnectExtended("peer-a");

        var request = h.State("peer-a", RunState.Master).OfType<RequestKernelDump>().Single();
        var sent = h.Dumped(request, DumpWithoutFlow).OfType<SendDigest>().Single();

        Assert.Equal(new SendDigest("peer-a", new DigestMessage(1, DigestOf(DumpWithoutFlow))), sent);
        Assert.Equal(1, h.Engine.Status.Peers.Single().DigestsSent);
        // Its next MASTER period on the session gets a digest of its own.
        h.State("peer-a", RunState.Slave);
        var again = h.State("peer-a", RunState.Master).OfType<RequestKernelDump>().Single();
        Assert.Equal(2u, h.Dumped(again, Dump).OfType<SendDigest>().Single().Message.Epoch);
    }

    [Fact]
    public void A_digest_whose_master_period_ended_before_the_dump_came_back_is_not_sent()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down);
        h.ConnectExtended("peer-a");
        var request = h.State("peer-a", RunState.Master).OfType<RequestKernelDump>().Single();

        h.State("peer-a", RunState.Slave);

        Assert.Empty(h.Dumped(request, Dump).OfType<SendDigest>());
    }

    [Fact]
    public void A_joining_node_on_a_legacy_session_sends_no_digest()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down);
        h.Connect("peer-a");

        Assert.DoesNotContain(h.State("peer-a", RunState.Master), e => e is RequestKernelDump);
    }

    [Fact]
    public void A_second_master_that_steps_down_sends_a_digest_for_the_period_of_the_one_that_stayed()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        h.ConnectExtended("peer-a");
        Assert.DoesNotContain(h.State("peer-a", RunState.Master), e => e is RequestKernelDump); // we are MASTER too

        var request = h.Handle(new CarpStateChanged(LinkState.Down)).OfType<RequestKernelDump>().Single();

        Assert.Equal(1u, h.Dumped(request, Dump).OfType<SendDigest>().Single().Message.Epoch);
    }

    [Fact]
    public void The_digest_is_counted_in_the_status_json()
    {
        var (h, _, request) = MasterAwaitingDigest();
        SendDigest(h, "peer-a", 1, DigestOf(Dump));
        Dumped(h, request, Dump);

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            Sasync.Core.Hosting.NodeStatusJson.Write(writer, new Sasync.Core.Hosting.NodeStatus(h.Engine.Status, 0, 0, 0, null));
        }

        using var json = System.Text.Json.JsonDocument.Parse(buffer.WrittenMemory);
        var peer = json.RootElement.GetProperty("peers")[0];
        Assert.Equal(1, peer.GetProperty("snapshotsSkippedByDigest").GetInt64());
        Assert.Equal(1, peer.GetProperty("digestsReceived").GetInt64());
        Assert.Equal(0, peer.GetProperty("digestsSent").GetInt64());
    }
}
