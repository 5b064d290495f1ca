namespace Sasync.Core.Sync;

/// <summary>The engine's timers; each is armed at most once at a time.</summary>
public enum EngineTimer
{
    /// <summary>Undemote at the latest this long after start (60 s, CARP_DEMOTE_MAXTIME).</summary>
    UndemoteDeadline,

    /// <summary>After this, peers had their chance to report their state: no MASTER among them means undemote.</summary>
    PeerReportGrace,

    /// <summary>Retry failed daemon control (every 4 s, MONITOR_RETRY_TIMEOUT).</summary>
    DaemonControlRetry,

    /// <summary>A round of waiting for peers' digests: a peer whose digest has not come by its round's end gets the full snapshot.</summary>
    DigestWait,
}

/// <summary>The IKE daemons sasyncd switches between active and passive.</summary>
public enum DaemonKind
{
    /// <summary><c>M active\n</c> / <c>M passive\n</c> on /var/run/isakmpd.fifo.</summary>
    Isakmpd,

    /// <summary>IMSG_CTL_ACTIVE / IMSG_CTL_PASSIVE on /var/run/iked.sock.</summary>
    Iked,
}

/// <summary>Who opened the session's connection.</summary>
public enum PeerDirection
{
    /// <summary>The peer connected to our listener.</summary>
    Inbound,

    /// <summary>We connected to the peer.</summary>
    Outbound,
}
