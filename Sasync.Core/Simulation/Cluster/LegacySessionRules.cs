using System.Net;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// The session rules of sasyncd-cs before issue 10, kept here to show what they got wrong: of two
/// connections with one peer that came up within 2 s of each other, the one dialled by the lower
/// address survives, otherwise the newer one; backoff (250 ms doubling to 30 s) follows failed dials
/// only, so a session that fails after it came up is redialled at once.
/// </summary>
internal sealed class LegacySessionRules(TimeSpan initialBackoff, TimeSpan maxBackoff) : ISessionRules
{
    private static readonly TimeSpan SimultaneousWindow = TimeSpan.FromSeconds(2);

    public LegacySessionRules()
        : this(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30))
    {
    }

    public ISessionRuleState CreateState(string peer) => new State(initialBackoff, maxBackoff);

    private sealed class State(TimeSpan initial, TimeSpan max) : ISessionRuleState
    {
        private TimeSpan _next;

        public bool NewReplacesExisting(SessionFacts existing, SessionFacts incoming, DateTimeOffset now)
        {
            if (now - existing.OpenedAt >= SimultaneousWindow || existing.Dialler == incoming.Dialler)
            {
                return true;
            }

            var x = IPAddress.Parse(incoming.Dialler).GetAddressBytes();
            var y = IPAddress.Parse(existing.Dialler).GetAddressBytes();
            return x.AsSpan().SequenceCompareTo(y) < 0;
        }

        public void SessionUp(DateTimeOffset now) => _next = initial;

        public TimeSpan DialFailed(DateTimeOffset now)
        {
            var delay = _next == TimeSpan.Zero ? initial : _next;
            _next = TimeSpan.FromTicks(Math.Min(max.Ticks, delay.Ticks * 2));
            return delay;
        }

        public TimeSpan SessionEnded(DateTimeOffset now, bool routine, bool usefulWorkDone) => TimeSpan.Zero;

        public void DialRequested() => _next = initial;
    }
}
