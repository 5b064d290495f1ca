using Sasync.Core;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using Sasync.Core.Wire;
using static Sasync.Tests.PfKey.TestMessages;
using static Sasync.Tests.Sync.EngineHarness;

namespace Sasync.Tests.Sync;

public class SyncEnginePeerTests
{
    [Theory]
    [InlineData(LinkState.Down, RunState.Slave)]
    [InlineData(LinkState.Up, RunState.Master)]
    public void On_connect_we_send_our_state(LinkState link, RunState state)
    {
        var h = new EngineHarness();
        h.Start(link);
        Assert.Equal([ControlMessage.StateOf(state)], ControlsTo("peer-a", h.Connect("peer-a")));
    }

    [Fact]
    public void A_state_is_acknowledged_with_our_state_in_the_original_layout()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        h.Connect("peer-a");

        var ack = Assert.Single(ControlsTo("peer-a", h.State("peer-a", RunState.Slave)));

        // ACK, data = STATE (the acknowledged type), data2 = MASTER: the original's bytes.
        Assert.Equal(Convert.FromHexString("000000030000000100000002"), ack.ToBytes());
        Assert.Equal(RunState.Slave, h.Engine.Status.Peers.Single().PeerRunState);
    }

    [Fact]
    public void Two_masters_the_receiver_answers_error()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        h.Connect("peer-a");

        var effects = h.State("peer-a", RunState.Master);

        var error = Assert.Single(ControlsTo("peer-a", effects));
        Assert.Equal(Convert.FromHexString("000000020000000100000000"), error.ToBytes());
        Assert.DoesNotContain(effects, e => e is RequestKernelDump);
        Assert.Contains("MASTER", h.Engine.Status.Peers.Single().LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ack_tells_us_the_peer_state_without_an_answer()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down);
        h.Connect("peer-a");

        var effects = h.Control("peer-a", ControlMessage.AckOf(RunState.Master));

        Assert.Empty(ControlsTo("peer-a", effects));
        Assert.Equal(RunState.Master, h.Engine.Status.Peers.Single().PeerRunState);
    }

    [Fact]
    public void An_invalid_state_is_answered_with_error_and_counted()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down);
        h.Connect("peer-a");

        var effects = h.Control("peer-a", new ControlMessage(ControlType.State, 9));

        Assert.Equal([ControlMessage.ErrorOf(ControlType.State)], ControlsTo("peer-a", effects));
        Assert.Equal(1, h.Engine.Status.Counters.FramesRejected);
        Assert.Null(h.Engine.Status.Peers.Single().PeerRunState);
    }

    [Fact]
    public void Slave_writes_data_from_the_known_master_with_our_pid_and_fresh_sequence_numbers()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down);
        h.Connect("peer-a");
        h.State("peer-a", RunState.Master);
        var first = EspSa(SadbMessageType.Add, 7, pid: 555, seq: 40);
        var second = EspSa(SadbMessageType.Delete, 7, pid: 555, seq: 41);

        var writes = h.PfKey("peer-a", first).Concat(h.PfKey("peer-a", second)).OfType<WriteToKernel>().ToList();

        Assert.Equal(2, writes.Count);
        Assert.All(writes, w => Assert.Equal("peer-a", w.Peer));
        var headers = writes.Select(w => SadbHeader.Read(w.Message.Span)).ToList();
        Assert.All(headers, header => Assert.Equal(OurPid, header.Pid));
        Assert.Equal(headers[0].Sequence + 1, headers[1].Sequence);
        Assert.Equal(first.AsSpan(16).ToArray(), writes[0].Message.Span[16..].ToArray());
    }

    [Fact]
    public void Slave_refuses_data_from_a_peer_not_known_as_master_with_error()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down);
        h.Connect("peer-a");
        h.State("peer-a", RunState.Slave);

        var effects = h.PfKey("peer-a", EspSa(SadbMessageType.Add, 7, pid: 555));

        Assert.DoesNotContain(effects, e => e is WriteToKernel);
        Assert.Equal(Convert.FromHexString("000000020000000000000000"), Assert.Single(ControlsTo("peer-a", effects)).ToBytes());
        Assert.Equal(1, h.Engine.Status.Counters.FramesRejected);
    }

    [Fact]
    public void Master_refuses_data_and_answers_with_its_state()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        h.Connect("peer-a");
        h.Control("peer-a", ControlMessage.AckOf(RunState.Master)); // split brain: the peer says MASTER too

        var effects = h.PfKey("peer-a", EspSa(SadbMessageType.Add, 7, pid: 555));

        Assert.DoesNotContain(effects, e => e is WriteToKernel);
        Assert.Equal([ControlMessage.StateOf(RunState.Master)], ControlsTo("peer-a", effects));
    }

    [Fact]
    public void Unparsable_pfkey_data_from_the_master_is_counted_and_not_written()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down);
        h.Connect("peer-a");
        h.State("peer-a", RunState.Master);

        var effects = h.PfKey("peer-a", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);

        Assert.DoesNotContain(effects, e => e is WriteToKernel);
        Assert.Equal(1, h.Engine.Status.Counters.FramesRejected);
        Assert.NotNull(h.Engine.Status.Peers.Single().LastError);
    }

    [Fact]
    public void Bad_control_frames_are_counted_and_the_session_is_closed_after_too_many()
    {
        var h = new EngineHarness(options: new EngineOptions { Pid = OurPid, MaxBadFramesPerSession = 3 });
        h.Start(LinkState.Down);
        h.Connect("peer-a");

        var shortFrame = h.Handle(new PeerFrameReceived("peer-a", WireMessageType.Control, new byte[11]));
        Assert.Equal([ControlMessage.ErrorOf(ControlType.Unknown)], ControlsTo("peer-a", shortFrame));
        var unknownType = h.Control("peer-a", new ControlMessage((ControlType)9, 0));
        Assert.Empty(ControlsTo("peer-a", unknownType));
        Assert.DoesNotContain(unknownType, e => e is ClosePeer);
        var third = h.Control("peer-a", new ControlMessage(ControlType.Reserved, 0));

        Assert.Contains(third, e => e is ClosePeer { Peer: "peer-a" });
        Assert.Equal(3, h.Engine.Status.Counters.FramesRejected);
        Assert.Equal(3, h.Engine.Status.Peers.Single().FramesReceived);
    }

    [Fact]
    public void Status_counts_frames_per_peer_and_forgets_the_session_on_disconnect()
    {
        var h = new EngineHarness(peers: ["peer-a", "peer-b"]);
        h.Start(LinkState.Down);
        h.Connect("peer-a");
        h.State("peer-a", RunState.Slave);
        h.Control("peer-a", new ControlMessage(ControlType.Error, 0));

        var a = h.Engine.Status.Peers[0];
        Assert.Equal(("peer-a", true, 2L, 2L), (a.Name, a.Connected, a.FramesSent, a.FramesReceived));
        Assert.Equal(PeerDirection.Outbound, a.Direction);
        Assert.Equal(h.Time.GetUtcNow(), a.ConnectedSince);
        Assert.Contains("PF_KEY", a.LastError, StringComparison.Ordinal);
        Assert.False(h.Engine.Status.Peers[1].Connected);

        h.Handle(new PeerDisconnected("peer-a", "reset"));
        a = h.Engine.Status.Peers[0];
        Assert.False(a.Connected);
        Assert.Null(a.PeerRunState);
        Assert.Equal(2L, a.FramesSent);
        Assert.Empty(Without<Log>(h.State("peer-a", RunState.Slave))); // no session, nothing answered
    }

    [Fact]
    public void A_session_that_fails_leaves_its_reason_as_the_peers_last_error_and_a_routine_ending_does_not()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Up);
        h.Connect("peer-a");
        h.Handle(new PeerDisconnected("peer-a", "bad frame: wrong shared key?"));
        h.Connect("peer-a");
        h.Handle(new PeerDisconnected("peer-a", "replaced by a newer connection", Routine: true));

        var peer = h.Engine.Status.Peers.Single();
        Assert.False(peer.Connected);
        Assert.Equal("session ended: bad frame: wrong shared key?", peer.LastError);
    }
}
