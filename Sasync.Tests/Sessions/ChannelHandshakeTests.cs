using System.Buffers.Binary;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Net;
using Sasync.Core.Sessions;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Tests.Sessions;

/// <summary>
/// The channel negotiation of the session rules: HELLO v2, FINISHED both ways, the codec switch points, the
/// policies, downgrades and bad FINISHEDs, and no carrier before its channel is known.
/// </summary>
public class ChannelHandshakeTests
{
    private static readonly SharedKey Key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly IPAddress Us = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress Them = IPAddress.Parse("192.0.2.2");

    private static ChannelHandshake Policy(ChannelPolicy policy) => new(Key, policy);

    [Fact]
    public void Two_prefer_nodes_end_on_the_extended_channel_on_both_sides_through_dials_and_restarts()
    {
        List<string> failures = [];
        for (var seed = 0; seed < 200; seed++)
        {
            var run = new TwoNodesHarness(seed, Policy(ChannelPolicy.Prefer), Policy(ChannelPolicy.Prefer));
            for (var i = 0; i < 200; i++)
            {
                run.Step(faults: true);
            }

            for (var i = 0; i < 20_000 && !run.Settled; i++)
            {
                run.Step(faults: false);
            }

            var ok = run.Settled
                && run.Low.Rules.Channel == PeerChannel.Extended && run.High.Rules.Channel == PeerChannel.Extended
                && run.Low.EngineChannel == PeerChannel.Extended && run.High.EngineChannel == PeerChannel.Extended
                && run.Low.CodecMismatches == 0 && run.High.CodecMismatches == 0
                && run.Low.Rejected == 0 && run.High.Rejected == 0;
            if (!ok)
            {
                failures.Add($"seed {seed}: settled {run.Settled}, channels {run.Low.Rules.Channel}/{run.High.Rules.Channel}, "
                    + $"mismatches {run.Low.CodecMismatches}/{run.High.CodecMismatches}, rejected {run.Low.Rejected}/{run.High.Rejected}");
                if (failures.Count == 1)
                {
                    failures.Add(string.Join('\n', run.Trace.TakeLast(60)));
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Theory]
    [InlineData(ChannelPolicy.Legacy, ChannelPolicy.Prefer)]
    [InlineData(ChannelPolicy.Prefer, ChannelPolicy.Legacy)]
    [InlineData(ChannelPolicy.Legacy, ChannelPolicy.Legacy)]
    public void When_one_side_is_legacy_both_stay_on_the_original_frames_after_the_finished_exchange(ChannelPolicy low, ChannelPolicy high)
    {
        var run = Settle(new TwoNodesHarness(7, Policy(low), Policy(high)));

        Assert.True(run.Settled, string.Join('\n', run.Trace));
        Assert.Equal(PeerChannel.Legacy, run.Low.EngineChannel);
        Assert.Equal(PeerChannel.Legacy, run.High.EngineChannel);
        Assert.Equal(0, run.Low.CodecMismatches + run.High.CodecMismatches);
        Assert.Equal(0, run.Low.Rejected + run.High.Rejected);
    }

    [Fact]
    public void A_version_1_peer_without_a_handshake_is_spoken_to_in_the_original_frames()
    {
        var run = Settle(new TwoNodesHarness(3, Policy(ChannelPolicy.Prefer), high: null));

        Assert.True(run.Settled, string.Join('\n', run.Trace));
        Assert.Equal(PeerChannel.Legacy, run.Low.EngineChannel);
        Assert.Equal(PeerChannel.Legacy, run.High.EngineChannel);
        Assert.Equal(0, run.Low.CodecMismatches + run.High.CodecMismatches);
    }

    [Fact]
    public void A_stripped_offer_bit_makes_the_finished_macs_disagree_and_the_session_never_comes_up()
    {
        var run = new TwoNodesHarness(11, Policy(ChannelPolicy.Prefer), Policy(ChannelPolicy.Prefer));
        // The attacker clears the extended-channel bit of every HELLO the high node reads (a downgrade).
        run.High.Tamper = frame =>
        {
            if (!HelloMessage.IsHello(frame))
            {
                return frame;
            }

            var copy = frame.ToArray();
            BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(8), BinaryPrimitives.ReadUInt32BigEndian(copy.AsSpan(8)) & ~(uint)HelloCapabilities.ExtendedChannel);
            return copy;
        };
        for (var i = 0; i < 3000; i++)
        {
            run.Step(faults: false);
        }

        // The engine never saw a session: no connection settled, legacy or otherwise.
        Assert.Equal(0, run.Low.CarriersUp);
        Assert.Equal(0, run.High.CarriersUp);
        Assert.True(run.Low.Rejected > 0 && run.High.Rejected > 0, string.Join('\n', run.Trace.Take(40)));
        Assert.Contains(run.Low.Logs, l => l.Level == LogLevel.Warning && l.Message.Contains("downgrade", StringComparison.Ordinal));
        Assert.True(run.Low.Rules.FailedAttempts > 0);
    }

    [Fact]
    public void Any_other_altered_hello_byte_closes_the_connection_too()
    {
        var run = new TwoNodesHarness(5, Policy(ChannelPolicy.Prefer), Policy(ChannelPolicy.Legacy));
        // A nonce byte, well past the first block.
        run.Low.Tamper = frame => HelloMessage.IsHello(frame) ? Flip(frame, 40) : frame;
        for (var i = 0; i < 3000; i++)
        {
            run.Step(faults: false);
        }

        Assert.Equal(0, run.Low.CarriersUp + run.High.CarriersUp);
        Assert.True(run.Low.Rejected > 0 && run.High.Rejected > 0);
    }

    [Fact]
    public void A_finished_with_a_wrong_mac_closes_the_connection_as_a_rejected_frame()
    {
        var run = new TwoNodesHarness(9, Policy(ChannelPolicy.Prefer), Policy(ChannelPolicy.Prefer));
        run.High.Tamper = frame => FinishedMessage.IsFinished(frame) ? Flip(frame, FinishedMessage.MacOffset + 5) : frame;
        for (var i = 0; i < 3000; i++)
        {
            run.Step(faults: false);
        }

        Assert.Equal(0, run.High.CarriersUp);
        Assert.True(run.High.Rejected > 0);
        Assert.Contains(run.High.Logs, l => l.Level == LogLevel.Warning && l.Message.Contains("FINISHED", StringComparison.Ordinal));
    }

    [Fact]
    public void Require_refuses_a_legacy_sasyncd_cs_at_its_finished_with_the_normal_backoff()
    {
        var run = new TwoNodesHarness(13, Policy(ChannelPolicy.Require), Policy(ChannelPolicy.Legacy));
        for (var i = 0; i < 3000; i++)
        {
            run.Step(faults: false);
        }

        Assert.Equal(0, run.Low.CarriersUp);
        Assert.Contains(run.Low.Logs, l => l.Level == LogLevel.Warning && l.Message.Contains("refused", StringComparison.Ordinal)
            && l.Message.Contains("channel require", StringComparison.Ordinal));
        Assert.True(run.Low.Rules.FailedAttempts > 1);
    }

    [Fact]
    public void Require_between_two_prefer_or_require_nodes_upgrades()
    {
        var run = Settle(new TwoNodesHarness(17, Policy(ChannelPolicy.Require), Policy(ChannelPolicy.Prefer)));

        Assert.True(run.Settled, string.Join('\n', run.Trace));
        Assert.Equal(PeerChannel.Extended, run.Low.EngineChannel);
        Assert.Equal(PeerChannel.Extended, run.High.EngineChannel);
    }

    [Fact]
    public void The_hello_is_version_2_with_a_fresh_nonce_per_connection_and_the_offer_as_the_policy_says()
    {
        var time = new FakeTimeProvider();
        var rules = new PeerSessionRules("192.0.2.2", new HelloMessage(HelloMessage.CurrentVersion, 0, 77), new SessionRulesOptions(), time, new Random(1));
        List<SessionDecision> decisions = [];
        rules.OnOpened(1, ConnectionDirection.Outbound, Us, Policy(ChannelPolicy.Prefer), decisions);
        rules.OnOpened(2, ConnectionDirection.Inbound, Them, Policy(ChannelPolicy.Legacy), decisions);

        var hellos = decisions.OfType<SendControlOn>().Select(s => HelloMessage.TryRead(s.Plaintext.Span, out var h) ? h : default).ToList();
        Assert.Equal(2, hellos.Count);
        Assert.All(hellos, h => Assert.Equal((2u, (UInt128)77), (h.Version, h.InstanceId)));
        Assert.Equal(HelloCapabilities.ExtendedChannel | HelloCapabilities.DigestResync, hellos[0].Offers);
        Assert.Equal(HelloCapabilities.None, hellos[1].Offers);
        Assert.NotEqual(hellos[0].Nonce, hellos[1].Nonce);
        Assert.NotEqual(default, hellos[0].Nonce);
        // Neither connection may carry yet: nothing has arrived on them.
        Assert.Empty(decisions.OfType<CarrierUp>());
    }

    [Fact]
    public void The_switch_decisions_come_right_after_our_finished_and_right_after_the_peer_s_verifies()
    {
        var time = new FakeTimeProvider();
        var rules = new PeerSessionRules("192.0.2.2", new HelloMessage(2, 0, 1), new SessionRulesOptions(), time, new Random(1));
        List<SessionDecision> decisions = [];
        rules.OnOpened(1, ConnectionDirection.Outbound, Us, Policy(ChannelPolicy.Prefer), decisions);
        var ours = decisions.OfType<SendControlOn>().Single().Plaintext.ToArray();
        decisions.Clear();
        var theirs = new HelloMessage(2, (uint)HelloCapabilities.ExtendedChannel, 2, new HelloNonce(5, 6)).ToBytes();

        Assert.False(rules.OnFrame(1, WireMessageType.Control, theirs, decisions).Deliver);
        Assert.Collection(decisions,
            d => Assert.True(d is SendControlOn send && FinishedMessage.IsFinished(send.Plaintext.Span)),
            d => Assert.True(d is SwitchToExtendedEncoder { ConnectionId: 1, WeAreDialler: true }));
        decisions.Clear();

        // The peer (the acceptor) derives the same secrets from the same two HELLOs and sends its FINISHED.
        var secrets = ExtendedKeySchedule.Derive(Key.Bytes, ours, theirs);
        Assert.False(rules.OnFrame(1, WireMessageType.Control, FinishedMessage.ToBytes(secrets.Finished(fromDialler: false)), decisions).Deliver);
        Assert.True(decisions[0] is SwitchToExtendedDecoder { ConnectionId: 1 }, string.Join(", ", decisions));
        Assert.Contains(decisions, d => d is CarrierUp { ConnectionId: 1, Channel: PeerChannel.Extended });
        Assert.Equal(PeerChannel.Extended, rules.Channel);
    }

    [Fact]
    public void A_frame_where_the_peer_s_finished_belongs_closes_the_connection()
    {
        var rules = new PeerSessionRules("192.0.2.2", new HelloMessage(2, 0, 1), new SessionRulesOptions(), new FakeTimeProvider(), new Random(1));
        List<SessionDecision> decisions = [];
        rules.OnOpened(1, ConnectionDirection.Inbound, Them, Policy(ChannelPolicy.Prefer), decisions);
        rules.OnFrame(1, WireMessageType.Control, new HelloMessage(2, 1, 2, new HelloNonce(1, 1)).ToBytes(), decisions);
        decisions.Clear();

        Assert.False(rules.OnFrame(1, WireMessageType.Control, ControlMessage.StateOf(RunState.Master).ToBytes(), decisions).Deliver);
        Assert.Contains(decisions, d => d is CloseConnection { ConnectionId: 1, Rejected: FrameError.BadFinished });
        Assert.DoesNotContain(decisions, d => d is CarrierUp);
    }

    [Fact]
    public void Require_refuses_an_original_at_its_first_frame_and_a_silent_one_after_the_handshake_timeout()
    {
        var time = new FakeTimeProvider();
        var rules = new PeerSessionRules("192.0.2.2", new HelloMessage(2, 0, 1), new SessionRulesOptions(), time, new Random(1));
        List<SessionDecision> decisions = [];
        rules.Poll(decisions);
        rules.OnOpened(1, ConnectionDirection.Inbound, Them, Policy(ChannelPolicy.Require), decisions);
        Assert.False(rules.OnFrame(1, WireMessageType.Control, ControlMessage.StateOf(RunState.Master).ToBytes(), decisions).Deliver);
        Assert.Contains(decisions, d => d is CloseConnection { ConnectionId: 1 } close && close.Reason.Contains("original", StringComparison.Ordinal));
        Assert.Contains(decisions, d => d is SessionLog { Level: LogLevel.Warning } log && log.Message.Contains("channel require", StringComparison.Ordinal));
        Assert.Equal(1, rules.FailedAttempts);
        Assert.True(rules.NextAttemptAt > time.GetUtcNow());

        // Our own dial to an original that says nothing: refused when the handshake timeout is over, not before.
        time.Advance(TimeSpan.FromSeconds(1));
        decisions.Clear();
        rules.OnOpened(2, ConnectionDirection.Outbound, Us, Policy(ChannelPolicy.Require), decisions);
        time.Advance(TimeSpan.FromSeconds(4.9));
        rules.Poll(decisions);
        Assert.DoesNotContain(decisions, d => d is CloseConnection or CarrierUp);
        time.Advance(TimeSpan.FromSeconds(0.1));
        rules.Poll(decisions);
        Assert.Contains(decisions, d => d is CloseConnection { ConnectionId: 2 } close && close.Reason.Contains("did not upgrade", StringComparison.Ordinal));
        Assert.DoesNotContain(decisions, d => d is CarrierUp);
        Assert.Equal(2, rules.FailedAttempts);
    }

    [Fact]
    public void Prefer_takes_a_silent_connection_for_an_original_s_after_the_hello_wait_and_carries_it_legacy()
    {
        var time = new FakeTimeProvider();
        var options = new SessionRulesOptions();
        var rules = new PeerSessionRules("192.0.2.2", new HelloMessage(2, 0, 1), options, time, new Random(1));
        List<SessionDecision> decisions = [];
        rules.OnOpened(1, ConnectionDirection.Outbound, Us, Policy(ChannelPolicy.Prefer), decisions);
        Assert.Equal(time.GetUtcNow() + options.HelloWait, rules.NextDeadline);
        time.Advance(options.HelloWait);
        rules.Poll(decisions);

        Assert.Contains(decisions, d => d is CarrierUp { ConnectionId: 1, Channel: PeerChannel.Legacy });
        // The original answers on it; from now on its new connections carry at once.
        Assert.True(rules.OnFrame(1, WireMessageType.Control, ControlMessage.AckOf(RunState.Master).ToBytes(), decisions).Deliver);
        decisions.Clear();
        rules.OnClosed(1, "reset", decisions);
        rules.OnOpened(2, ConnectionDirection.Outbound, Us, Policy(ChannelPolicy.Prefer), decisions);
        Assert.Contains(decisions, d => d is CarrierUp { ConnectionId: 2, Channel: PeerChannel.Legacy });
    }

    [Fact]
    public void An_original_s_first_frame_settles_the_connection_at_once_and_is_delivered()
    {
        var rules = new PeerSessionRules("192.0.2.2", new HelloMessage(2, 0, 1), new SessionRulesOptions(), new FakeTimeProvider(), new Random(1));
        List<SessionDecision> decisions = [];
        rules.OnOpened(1, ConnectionDirection.Inbound, Them, Policy(ChannelPolicy.Prefer), decisions);
        Assert.DoesNotContain(decisions, d => d is CarrierUp);

        var verdict = rules.OnFrame(1, WireMessageType.Control, ControlMessage.StateOf(RunState.Master).ToBytes(), decisions);

        Assert.Equal(FrameVerdict.To(1), verdict);
        Assert.Contains(decisions, d => d is CarrierUp { ConnectionId: 1, Channel: PeerChannel.Legacy });
        Assert.DoesNotContain(decisions, d => d is SendControlOn send && FinishedMessage.IsFinished(send.Plaintext.Span));
    }

    private static TwoNodesHarness Settle(TwoNodesHarness run)
    {
        for (var i = 0; i < 20_000 && !run.Settled; i++)
        {
            run.Step(faults: false);
        }

        return run;
    }

    private static byte[] Flip(byte[] frame, int offset)
    {
        var copy = frame.ToArray();
        copy[offset] ^= 0x01;
        return copy;
    }
}
