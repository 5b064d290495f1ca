namespace Sasync.Core.Sessions;

/// <summary>The timing of <see cref="PeerSessionRules"/>.</summary>
public sealed record SessionRulesOptions
{
    /// <summary>A carrier on which no STATE, ACK or ERROR about STATE arrived within this is closed as a failed attempt.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A connection on which nothing arrived this long after it opened is taken to be with an original
    /// sasyncd (which writes nothing on a connection it accepted until it reads our STATE) and carries on the
    /// legacy frames; a sasyncd-cs writes its HELLO at once (2 s leaves room for a loaded host). Not under <c>channel require</c>.
    /// </summary>
    public TimeSpan HelloWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A carrier that completed the STATE exchange and then lived this long proved stable: the backoff resets.</summary>
    public TimeSpan StablePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A stable carrier on which nothing arrived for this long gets a STATE, so that a dead one fails.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait after the first failed attempt; it doubles with each further one.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between attempts (before jitter).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Each wait is scaled by a random factor within 1 ± this, so that peers do not retry in step.</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>Open connections kept per peer at most; beyond it the oldest that nobody can still be reading is closed.</summary>
    public int MaxConnections { get; init; } = 4;
}
