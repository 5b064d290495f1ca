using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Sasync.Core;
using Sasync.Core.Sessions;
using Sasync.Core.Wire;

namespace Sasync.Tests.Sessions;

/// <summary>Backoff after every failed session, the handshake timeout, and logging that follows the backoff.</summary>
public class SessionBackoffTests
{
    private static readonly IPAddress Us = IPAddress.Parse("192.0.2.1");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<SessionDecision> _decisions = [];
    private readonly PeerSessionRules _rules;
    private long _nextId;

    public SessionBackoffTests()
    {
        _rules = new PeerSessionRules("192.0.2.2", new HelloMessage(1, 0, 7), new SessionRulesOptions(), _time, new Random(42));
    }

    [Fact]
    public void A_session_that_fails_right_after_coming_up_is_retried_later_and_later_with_bounded_jitter()
    {
        Assert.True(DialDue());
        double[] expected = [0.25, 0.5, 1, 2, 4, 8, 16, 30, 30, 30];
        foreach (var seconds in expected)
        {
            _decisions.Clear();
            var id = Open();
            Assert.Single(_decisions.OfType<CarrierUp>());
            _rules.OnClosed(id, "bad frame: HashMismatch", _decisions);

            var wait = _rules.NextAttemptAt!.Value - _time.GetUtcNow();
            Assert.InRange(wait.TotalSeconds, seconds * 0.8, seconds * 1.2);
            _time.Advance(wait - TimeSpan.FromMilliseconds(1));
            Assert.False(DialDue());
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.True(DialDue());
        }

        Assert.Equal(expected.Length, _rules.FailedAttempts);
    }

    [Fact]
    public void One_warning_per_failed_attempt_and_one_summary_when_a_session_proves_stable()
    {
        Assert.True(DialDue());
        for (var i = 0; i < 3; i++)
        {
            var failed = Open();
            _rules.OnClosed(failed, "connection reset by peer", _decisions);
            _time.Advance(_rules.NextAttemptAt!.Value - _time.GetUtcNow());
            Assert.True(DialDue());
        }

        var id = Open();
        Assert.Equal(3, _rules.FailedAttempts);
        _rules.OnSent(id, WireMessageType.Control, ControlMessage.StateOf(RunState.Slave).ToBytes());
        Assert.False(_rules.OnFrame(id, WireMessageType.Control, new HelloMessage(1, 0, 9).ToBytes(), _decisions).Deliver);
        Assert.True(_rules.OnFrame(id, WireMessageType.Control, ControlMessage.AckOf(RunState.Master).ToBytes(), _decisions).Deliver);
        _time.Advance(TimeSpan.FromSeconds(9.9));
        Poll();
        Assert.Equal(3, _rules.FailedAttempts);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Poll();

        Assert.Equal(0, _rules.FailedAttempts);
        var logs = _decisions.OfType<SessionLog>().ToList();
        Assert.Equal(3, logs.Count(l => l.Level == LogLevel.Warning));
        // Information: the first session up, then the recovery, nothing per attempt.
        var info = logs.Where(l => l.Level == LogLevel.Information).Select(l => l.Message).ToList();
        Assert.Equal(2, info.Count);
        Assert.Equal("peer 192.0.2.2: session up (dialled)", info[0]);
        Assert.StartsWith("peer 192.0.2.2: connected again after 3 failed attempts in ", info[1]);

        // After a stable session the next failure starts again at 250 ms.
        _rules.OnClosed(id, "connection closed by peer", _decisions);
        Assert.Null(_rules.NextAttemptAt is { } at && at > _time.GetUtcNow() ? at : (DateTimeOffset?)null);
        Assert.Equal(0, _rules.FailedAttempts);
        Assert.True(DialDue());
        var again = Open();
        _rules.OnClosed(again, "connection closed by peer", _decisions);
        Assert.InRange((_rules.NextAttemptAt!.Value - _time.GetUtcNow()).TotalSeconds, 0.2, 0.3);
    }

    [Fact]
    public void A_carrier_without_state_or_ack_within_the_handshake_timeout_is_closed_as_a_failed_attempt()
    {
        Assert.True(DialDue());
        var id = Open();
        // An original's frames that are no answer to STATE do not complete the exchange.
        Assert.True(_rules.OnFrame(id, WireMessageType.PfKey, new byte[16], _decisions).Deliver);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Poll();
        Assert.DoesNotContain(_decisions, d => d is CloseConnection);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Poll();

        Assert.Equal(id, Assert.Single(_decisions.OfType<CloseConnection>()).ConnectionId);
        Assert.Contains(_decisions, d => d is CarrierDown { Routine: false } down && down.ConnectionId == id);
        Assert.Equal(1, _rules.FailedAttempts);
        Assert.Null(_rules.CarrierId);
    }

    [Fact]
    public void Inbound_failures_count_and_defer_our_own_dial()
    {
        Assert.True(DialDue());
        _rules.OnDialFailed("connection refused", _decisions);
        var inbound = ++_nextId;
        _rules.OnOpened(inbound, ConnectionDirection.Inbound, IPAddress.Parse("192.0.2.2"), _decisions);
        _rules.OnClosed(inbound, "bad frame: HashMismatch", _decisions);

        Assert.Equal(2, _rules.FailedAttempts);
        Assert.InRange((_rules.NextAttemptAt!.Value - _time.GetUtcNow()).TotalSeconds, 0.4, 0.6);
        Assert.False(DialDue());
    }

    [Fact]
    public void A_session_our_side_restarts_for_a_resync_is_dialled_again_at_once_and_is_no_failed_attempt()
    {
        // One real failure first: a restart neither adds to it nor waits out its backoff.
        Assert.True(DialDue());
        _rules.OnClosed(Open(), "connection reset by peer", _decisions);
        _time.Advance(_rules.NextAttemptAt!.Value - _time.GetUtcNow());
        Assert.True(DialDue());
        for (var i = 0; i < 10; i++)
        {
            _decisions.Clear();
            var id = Open();
            Assert.Single(_decisions.OfType<CarrierUp>());
            _rules.Restart("resync: a second MASTER stepped down", _decisions);

            Assert.Contains(_decisions, d => d is CloseConnection close && close.ConnectionId == id);
            Assert.Contains(_decisions, d => d is CarrierDown { Routine: true } down && down.ConnectionId == id);
            Assert.True(DialDue());
        }

        Assert.Equal(1, _rules.FailedAttempts);
    }

    private long Open()
    {
        var id = ++_nextId;
        var before = _decisions.Count;
        _rules.OnOpened(id, ConnectionDirection.Outbound, Us, _decisions);
        var hello = Assert.IsType<SendControlOn>(_decisions[before]);
        Assert.True(HelloMessage.TryRead(hello.Plaintext.Span, out var ours));
        Assert.Equal((UInt128)7, ours.InstanceId);
        return id;
    }

    private void Poll() => _rules.Poll(_decisions);

    private bool DialDue()
    {
        var before = _decisions.Count;
        Poll();
        return _decisions.Skip(before).Any(d => d is StartDial);
    }
}
