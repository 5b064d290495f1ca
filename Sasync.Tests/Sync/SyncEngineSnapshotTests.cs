using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using Sasync.Core.Wire;
using static Sasync.Tests.PfKey.TestMessages;
using static Sasync.Tests.Sync.EngineHarness;

namespace Sasync.Tests.Sync;

public class SyncEngineSnapshotTests
{
    private static KernelDump Dump => SampleKernelDump.Both;

    [Fact]
    public void Master_requests_a_dump_as_soon_as_the_peer_state_is_known_and_sends_flush_sas_flows_endsnap()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        Assert.DoesNotContain(h.Connect("peer-a"), e => e is RequestKernelDump); // state not known yet

        var request = h.State("peer-a", RunState.Slave).OfType<RequestKernelDump>().Single();
        Assert.Equal("peer-a", request.Peer);
        var effects = h.Dumped(request, Dump);

        var sends = effects.Where(e => e is SendPfKey or SendControl).ToList();
        Assert.Equal(5, sends.Count);
        var types = sends.Take(4).Cast<SendPfKey>().Select(s => SadbHeader.Read(s.Message.Span).Type);
        Assert.Equal([SadbMessageType.Flush, SadbMessageType.Add, SadbMessageType.Add, SadbMessageType.XAddFlow], types);
        Assert.Equal(new SendControl("peer-a", ControlMessage.EndSnapshot), sends[4]);
        Assert.DoesNotContain(SadbExtensionType.XMtu, ExtensionTypes(((SendPfKey)sends[1]).Message));
        var status = h.Engine.Status.Peers.Single();
        Assert.Equal(1, status.SnapshotsSent);
        Assert.Equal(h.Time.GetUtcNow(), status.LastSnapshotSentAt);
    }

    [Theory]
    [InlineData(FlushMode.Sync)]
    [InlineData(FlushMode.Never)]
    public void Without_flushmode_startup_the_snapshot_has_no_flush(FlushMode mode)
    {
        var h = new EngineHarness(s => s with { FlushMode = mode });
        h.Start(LinkState.Up);
        var request = h.AwaitSnapshot("peer-a", RunState.Init);

        var sent = PfKeyTo("peer-a", h.Dumped(request, Dump));

        Assert.Equal([SadbMessageType.Add, SadbMessageType.Add, SadbMessageType.XAddFlow], sent.Select(m => SadbHeader.Read(m).Type));
    }

    [Fact]
    public void Changes_seen_while_the_dump_is_taken_are_held_and_sent_before_endsnap()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        var request = h.AwaitSnapshot("peer-a", RunState.Slave);
        var delete = Message(SadbMessageType.Delete, SadbSaType.Esp, 1, IkePid, Sa(1), Address(SadbExtensionType.AddressDst, "192.0.2.2"));

        Assert.Empty(PfKeyTo("peer-a", h.Kernel(Wrap(IkePid, delete))));
        var effects = h.Dumped(request, Dump).Where(e => e is SendPfKey or SendControl).ToList();

        Assert.Equal(delete, ((SendPfKey)effects[^2]).Message.ToArray());
        Assert.Equal(new SendControl("peer-a", ControlMessage.EndSnapshot), effects[^1]);
    }

    [Fact]
    public void Too_many_held_changes_start_a_new_dump_and_the_old_one_is_ignored()
    {
        var h = new EngineHarness(options: new EngineOptions { Pid = OurPid, MaxHeldRelays = 2 });
        h.Start(LinkState.Up);
        var first = h.AwaitSnapshot("peer-a", RunState.Slave);
        h.Kernel(Wrap(IkePid, EspSa(SadbMessageType.Add, 11, IkePid)));
        h.Kernel(Wrap(IkePid, EspSa(SadbMessageType.Add, 12, IkePid)));

        var second = h.Kernel(Wrap(IkePid, EspSa(SadbMessageType.Add, 13, IkePid))).OfType<RequestKernelDump>().Single();

        Assert.NotEqual(first.RequestId, second.RequestId);
        Assert.Empty(Without<Log>(h.Dumped(first, Dump)));
        var effects = h.Dumped(second, Dump);
        Assert.Equal(4, PfKeyTo("peer-a", effects).Count); // FLUSH, 2 SAs, 1 flow: the held changes were dropped
        Assert.Equal(ControlMessage.EndSnapshot, ControlsTo("peer-a", effects).Last());
    }

    [Fact]
    public void A_snapshot_bigger_than_a_chunk_goes_out_in_chunks_each_after_the_peer_drained()
    {
        var whole = new EngineHarness();
        whole.Start(LinkState.Up);
        var wholeRequest = whole.AwaitSnapshot("peer-a");
        var expected = PfKeyTo("peer-a", whole.Dumped(wholeRequest, Dump));

        var h = new EngineHarness(options: new EngineOptions { Pid = OurPid, SnapshotChunkMessages = 2 });
        h.Start(LinkState.Up);
        var request = h.AwaitSnapshot("peer-a");
        var effects = h.Dumped(request, Dump);
        var sent = new List<byte[]>();
        var chunks = 0;
        while (effects.OfType<AwaitPeerDrain>().SingleOrDefault() is { } wait)
        {
            Assert.True(h.Engine.Status.Peers.Single().SendingSnapshot);
            Assert.Equal(new AwaitPeerDrain("peer-a", request.RequestId), wait);
            Assert.Empty(ControlsTo("peer-a", effects));
            Assert.InRange(PfKeyTo("peer-a", effects).Count, 0, 2);
            sent.AddRange(PfKeyTo("peer-a", effects));
            Assert.InRange(++chunks, 1, 10);
            effects = h.Handle(new PeerDrained("peer-a", wait.SnapshotId));
        }

        sent.AddRange(PfKeyTo("peer-a", effects));
        Assert.True(chunks >= 2);
        Assert.Equal(expected, sent);
        Assert.Equal([ControlMessage.EndSnapshot], ControlsTo("peer-a", effects));
        Assert.Equal(1, h.Engine.Status.Peers.Single().SnapshotsSent);
        Assert.False(h.Engine.Status.Peers.Single().SendingSnapshot);
    }

    [Fact]
    public void A_chunk_ends_at_its_byte_limit_with_at_least_one_message()
    {
        var h = new EngineHarness(options: new EngineOptions { Pid = OurPid, SnapshotChunkBytes = 1 });
        h.Start(LinkState.Up);
        var request = h.AwaitSnapshot("peer-a");

        var effects = h.Dumped(request, Dump);

        Assert.Single(PfKeyTo("peer-a", effects));
        Assert.Contains(new AwaitPeerDrain("peer-a", request.RequestId), effects);
        Assert.Single(PfKeyTo("peer-a", h.Handle(new PeerDrained("peer-a", request.RequestId))));
    }

    [Fact]
    public void Changes_seen_between_chunks_are_held_until_the_last_chunk()
    {
        var h = new EngineHarness(options: new EngineOptions { Pid = OurPid, SnapshotChunkMessages = 1 });
        h.Start(LinkState.Up);
        var request = h.AwaitSnapshot("peer-a");
        Assert.Single(PfKeyTo("peer-a", h.Dumped(request, Dump)));
        var delete = Message(SadbMessageType.Delete, SadbSaType.Esp, 1, IkePid, Sa(1), Address(SadbExtensionType.AddressDst, "192.0.2.2"));

        Assert.Empty(PfKeyTo("peer-a", h.Kernel(Wrap(IkePid, delete))));
        var rest = new List<EngineEffect>();
        for (var i = 0; i < 10 && !ControlsTo("peer-a", rest).Contains(ControlMessage.EndSnapshot); i++)
        {
            rest.AddRange(h.Handle(new PeerDrained("peer-a", request.RequestId)));
        }

        var sends = rest.Where(e => e is SendPfKey or SendControl).ToList();
        Assert.Equal(5, sends.Count); // two SAs and the flow after the FLUSH, the DELETE, ENDSNAP
        Assert.Equal(delete, ((SendPfKey)sends[^2]).Message.ToArray());
        Assert.Equal(new SendControl("peer-a", ControlMessage.EndSnapshot), sends[^1]);
    }

    [Fact]
    public void Too_many_changes_between_chunks_restart_the_snapshot_from_a_fresh_dump_still_paced()
    {
        var h = new EngineHarness(options: new EngineOptions { Pid = OurPid, SnapshotChunkMessages = 1, MaxHeldRelays = 1 });
        h.Start(LinkState.Up);
        var request = h.AwaitSnapshot("peer-a");
        Assert.Single(PfKeyTo("peer-a", h.Dumped(request, Dump))); // FLUSH, then a drain wait
        var added = EspSa(SadbMessageType.Add, 11, IkePid);
        var deleted = Message(SadbMessageType.Delete, SadbSaType.Esp, 1, IkePid, Sa(1), Address(SadbExtensionType.AddressDst, "192.0.2.2"));
        Assert.Empty(PfKeyTo("peer-a", h.Kernel(Wrap(IkePid, added))));

        var overflow = h.Kernel(Wrap(IkePid, deleted));

        // The removal goes out at once (the peer may hold SA 1 already); the ADD is in the fresh dump.
        Assert.Equal([deleted], PfKeyTo("peer-a", overflow));
        Assert.Empty(ControlsTo("peer-a", overflow));
        var fresh = overflow.OfType<RequestKernelDump>().Single();
        Assert.NotEqual(request.RequestId, fresh.RequestId);
        Assert.DoesNotContain(overflow, e => e is AwaitPeerDrain);

        // The chunk sent before the restart may still be queued: the new snapshot waits for its drain.
        Assert.Empty(PfKeyTo("peer-a", h.Dumped(fresh, Dump)));
        var rest = h.Handle(new PeerDrained("peer-a", request.RequestId)).ToList();
        Assert.Single(PfKeyTo("peer-a", rest));
        Assert.Contains(new AwaitPeerDrain("peer-a", fresh.RequestId), rest);
        for (var i = 0; i < 10 && !ControlsTo("peer-a", rest).Contains(ControlMessage.EndSnapshot); i++)
        {
            var chunk = h.Handle(new PeerDrained("peer-a", fresh.RequestId));
            Assert.InRange(PfKeyTo("peer-a", chunk).Count, 0, 1); // one piece at a time, never the rest at once
            rest.AddRange(chunk);
        }

        Assert.Equal(4, PfKeyTo("peer-a", rest).Count); // FLUSH, two SAs, the flow of the fresh dump
        Assert.Equal([ControlMessage.EndSnapshot], ControlsTo("peer-a", rest));
        Assert.DoesNotContain(PfKeyTo("peer-a", rest), m => m.AsSpan().SequenceEqual(added));
        Assert.Equal(1, h.Engine.Status.Peers.Single().SnapshotsSent);
    }

    [Fact]
    public void Each_restart_lets_the_next_attempt_hold_twice_as_many_changes()
    {
        var h = new EngineHarness(options: new EngineOptions { Pid = OurPid, MaxHeldRelays = 2 });
        h.Start(LinkState.Up);
        h.AwaitSnapshot("peer-a");
        var restarts = new List<int>();
        for (uint i = 0; i < 2 + 1 + 4 + 1; i++)
        {
            if (h.Kernel(Wrap(IkePid, EspSa(SadbMessageType.Add, 100 + i, IkePid))).OfType<RequestKernelDump>().Any())
            {
                restarts.Add((int)i);
            }
        }

        Assert.Equal([2, 7], restarts); // 2 held, then the 3rd restarts; 4 held, then the 8th restarts
        Assert.Equal(0, h.Engine.Status.Peers.Single().SnapshotsSent); // still waiting for the third dump
    }

    [Fact]
    public void A_drain_report_for_a_snapshot_that_is_gone_sends_nothing()
    {
        var h = new EngineHarness(options: new EngineOptions { Pid = OurPid, SnapshotChunkMessages = 1 });
        h.Start(LinkState.Up);
        var request = h.AwaitSnapshot("peer-a");
        h.Dumped(request, Dump);

        Assert.Empty(h.Handle(new PeerDrained("peer-a", request.RequestId + 1)));
        Assert.Empty(h.Handle(new PeerDrained("peer-b", request.RequestId)));
        h.Handle(new PeerDisconnected("peer-a", "gone"));
        Assert.Empty(h.Handle(new PeerDrained("peer-a", request.RequestId)));
        var again = h.AwaitSnapshot("peer-a");
        Assert.Empty(h.Handle(new PeerDrained("peer-a", request.RequestId)));
        Assert.NotEmpty(PfKeyTo("peer-a", h.Dumped(again, Dump)));
    }

    [Fact]
    public void Becoming_master_sends_a_snapshot_to_peers_whose_state_is_known_once_per_master_period()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down);
        h.Connect("peer-a");
        Assert.DoesNotContain(h.State("peer-a", RunState.Slave), e => e is RequestKernelDump);

        var effects = h.Handle(new CarpStateChanged(LinkState.Up));

        var request = effects.OfType<RequestKernelDump>().Single();
        Assert.True(effects.ToList().IndexOf(request) > effects.ToList().FindIndex(e => e is SendControl));
        Assert.DoesNotContain(h.State("peer-a", RunState.Slave), e => e is RequestKernelDump); // already under way
    }

    [Fact]
    public void No_snapshot_for_a_peer_that_is_master_itself()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        h.Connect("peer-a");
        Assert.DoesNotContain(h.State("peer-a", RunState.Master), e => e is RequestKernelDump);
    }

    [Fact]
    public void A_dump_result_after_losing_master_or_the_peer_is_dropped()
    {
        var h = new EngineHarness(peers: ["peer-a", "peer-b"]);
        h.Start(LinkState.Up);
        h.Connect("peer-a");
        h.Connect("peer-b");
        var a = h.State("peer-a", RunState.Slave).OfType<RequestKernelDump>().Single();
        var b = h.State("peer-b", RunState.Slave).OfType<RequestKernelDump>().Single();

        h.Handle(new PeerDisconnected("peer-a", "closed"));
        Assert.Empty(Without<Log>(h.Dumped(a, Dump)));
        h.Handle(new CarpStateChanged(LinkState.Down));
        Assert.Empty(Without<Log>(h.Dumped(b, Dump)));
    }

    [Fact]
    public void A_dump_failing_midway_leaves_the_snapshot_without_endsnap_and_releases_what_it_held()
    {
        var h = new EngineHarness(options: new EngineOptions { Pid = OurPid, SnapshotChunkMessages = 2 });
        h.Start(LinkState.Up);
        var request = h.AwaitSnapshot("peer-a");
        var released = 0;
        var sent = new List<EngineEffect>();
        foreach (var records in new[] { SampleKernelDump.Sadb, SampleKernelDump.Sadb })
        {
            sent.AddRange(h.Handle(new KernelDumpChunkRead("peer-a", request.RequestId, new KernelDumpChunk(KernelDumpTable.Sadb, records, () => released++))));
        }

        Assert.NotEmpty(PfKeyTo("peer-a", sent)); // the first messages went out, the rest waits for the drain
        var failed = h.Handle(new KernelDumpCompleted("peer-a", request.RequestId, new KernelFailure(KernelFailureKind.Unavailable, OpenBsdErrno.ENOMEM, "ENOMEM")));

        Assert.Equal(2, released); // the chunk not yet read went back too
        Assert.DoesNotContain(sent.Concat(failed), e => e is SendControl { Message.Type: ControlType.EndSnapshot });
        var status = h.Engine.Status.Peers.Single();
        Assert.Equal((0, false), (status.SnapshotsSent, status.SendingSnapshot));
        Assert.Equal(1, h.Engine.Status.Counters.DumpErrors);
        // A chunk of the dump that comes late is let go at once.
        h.Handle(new KernelDumpChunkRead("peer-a", request.RequestId, new KernelDumpChunk(KernelDumpTable.Spd, SampleKernelDump.Spd, () => released++)));
        Assert.Equal(3, released);
    }

    [Fact]
    public void A_failed_dump_sends_no_endsnap_and_is_reported()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        var request = h.AwaitSnapshot("peer-a", RunState.Slave);

        var effects = h.Handle(new KernelDumpCompleted("peer-a", request.RequestId, new KernelFailure(KernelFailureKind.Unavailable, OpenBsdErrno.ENOMEM, "ENOMEM")));

        Assert.DoesNotContain(effects, e => e is SendControl);
        Assert.Equal(1, h.Engine.Status.Counters.DumpErrors);
        Assert.Contains("ENOMEM", h.Engine.Status.Peers.Single().LastError, StringComparison.Ordinal);
    }
}
