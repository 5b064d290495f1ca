using System.Net;
using Sasync.Core.Net;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// The session rules of <see cref="PeerNetwork"/> before issue 10: <see cref="DuplicateLinkRule"/>
/// for simultaneous connections, backoff after failed dials only, and a session that ended is
/// redialled at once. Kept so that the simulator can show what the old rules get wrong.
/// </summary>
public sealed class LegacySessionRules(TimeSpan initialBackoff, TimeSpan maxBackoff) : ISessionRules
{
    public LegacySessionRules()
        : this(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30))
    {
    }

    public ISessionRuleState CreateState(string peer) => new State(new ReconnectBackoff(initialBackoff, maxBackoff));

    private sealed class State(ReconnectBackoff backoff) : ISessionRuleState
    {
        public bool NewReplacesExisting(SessionFacts existing, SessionFacts incoming, DateTimeOffset now) =>
            DuplicateLinkRule.NewReplacesExisting(IPAddress.Parse(existing.Dialler), now - existing.OpenedAt, IPAddress.Parse(incoming.Dialler));

        public void SessionUp(DateTimeOffset now) => backoff.Reset();

        public TimeSpan DialFailed(DateTimeOffset now) => backoff.Next();

        public TimeSpan SessionEnded(DateTimeOffset now, bool routine, bool usefulWorkDone) => TimeSpan.Zero;

        public void DialRequested() => backoff.Reset();
    }
}
