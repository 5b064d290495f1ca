using System.Collections.Immutable;

namespace Sasync.Core.Config;

/// <summary>The effective settings of one sasyncd.conf, with the original's defaults.</summary>
public sealed record SyncSettings
{
    /// <summary>The TCP port peers listen on and connect to when <c>listen on ... port</c> does not say (the original's default).</summary>
    public const int DefaultPort = 500;

    /// <summary>The interface group whose demote counter is held when <c>group</c> is not set.</summary>
    public const string DefaultGroup = "carp";

    /// <summary>The carp interface whose link state decides the run state (<c>interface</c>).</summary>
    public required string CarpInterface { get; init; }

    /// <summary>The interface group whose demote counter is held while syncing (<c>group</c>).</summary>
    public string CarpGroup { get; init; } = DefaultGroup;

    /// <summary>When FLUSH messages go to peers (<c>flushmode</c>).</summary>
    public FlushMode FlushMode { get; init; } = FlushMode.Startup;

    /// <summary>Where the node accepts peer connections (<c>listen on</c>); every address on port 500 by default.</summary>
    public ListenSettings Listen { get; init; } = new();

    /// <summary>Peer addresses or host names, in file order, without duplicates.</summary>
    public ImmutableArray<string> Peers { get; init; } = [];

    /// <summary>The key every message between peers is encrypted with (<c>sharedkey</c>); required.</summary>
    public required SharedKey SharedKey { get; init; }

    /// <summary>Which IKE daemon follows the run state (<c>control</c>); isakmpd by default.</summary>
    public DaemonControlMode Control { get; init; } = DaemonControlMode.Isakmpd;

    /// <summary>Follow carp (<see cref="RunMode.Auto"/>) or a locked state (<c>mode master|slave</c>).</summary>
    public RunMode Mode { get; init; } = RunMode.Auto;

    /// <summary><c>mode skipslave</c>: do not sync SAs whose source or destination is a peer.</summary>
    public bool SkipSlave { get; init; }

    /// <summary>Whether sessions with other sasyncd-cs move to the extended channel (<c>channel</c>, sasyncd-cs only); prefer by default.</summary>
    public ChannelPolicy Channel { get; init; } = ChannelPolicy.Prefer;
}

/// <summary><c>listen on ADDRESS|IFNAME [inet|inet6] [port N]</c>.</summary>
public sealed record ListenSettings
{
    /// <summary>An address or interface name; null means every address.</summary>
    public string? On { get; init; }

    /// <summary>Which address family to listen on (<c>inet</c> or <c>inet6</c>); both when not given.</summary>
    public ListenFamily Family { get; init; } = ListenFamily.Any;

    /// <summary>The TCP port, 1 to 65535 (<c>port N</c>).</summary>
    public int Port { get; init; } = SyncSettings.DefaultPort;
}

/// <summary>The address family of <c>listen on</c>.</summary>
public enum ListenFamily
{
    /// <summary>No family given: IPv4 and IPv6.</summary>
    Any,

    /// <summary><c>inet</c>: IPv4.</summary>
    Inet,

    /// <summary><c>inet6</c>: IPv6.</summary>
    Inet6,
}

/// <summary><c>flushmode</c>: when a FLUSH is sent to peers.</summary>
public enum FlushMode
{
    /// <summary>Send a FLUSH before each snapshot (the default).</summary>
    Startup,

    /// <summary>Also relay FLUSH messages seen on the master.</summary>
    Sync,

    /// <summary>Never send or relay a FLUSH.</summary>
    Never,
}

/// <summary><c>control</c>: which IKE daemon is switched between active and passive.</summary>
public enum DaemonControlMode
{
    /// <summary><c>isakmpd</c> (the default): isakmpd, through its FIFO.</summary>
    Isakmpd,

    /// <summary><c>iked</c>: iked, through its control socket.</summary>
    Iked,

    /// <summary><c>all</c>: isakmpd and iked both.</summary>
    All,

    /// <summary><c>none</c>: no IKE daemon is touched.</summary>
    None,
}

/// <summary><c>mode master|slave</c>, or follow the carp interface.</summary>
public enum RunMode
{
    /// <summary>No <c>mode</c> setting: the run state follows the carp interface.</summary>
    Auto,

    /// <summary><c>mode master</c>: always MASTER, whatever carp says.</summary>
    Master,

    /// <summary><c>mode slave</c>: always SLAVE, whatever carp says.</summary>
    Slave,
}

/// <summary><c>channel</c> (sasyncd-cs only): whether a session moves from the original's frames to the extended channel.</summary>
public enum ChannelPolicy
{
    /// <summary><c>prefer</c> (the default): offer it, and use it when the peer offers it too; otherwise the original's frames.</summary>
    Prefer,

    /// <summary><c>legacy</c>: never offer it; every session keeps the original's frames.</summary>
    Legacy,

    /// <summary><c>require</c>: a peer that does not upgrade within the handshake timeout (an original, a <c>legacy</c> sasyncd-cs) is refused.</summary>
    Require,
}
