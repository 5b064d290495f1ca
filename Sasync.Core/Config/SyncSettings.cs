using System.Collections.Immutable;

namespace Sasync.Core.Config;

/// <summary>The effective settings of one sasyncd.conf, with the original's defaults.</summary>
public sealed record SyncSettings
{
    public const int DefaultPort = 500;
    public const string DefaultGroup = "carp";

    /// <summary>The carp interface whose link state decides the run state (<c>interface</c>).</summary>
    public required string CarpInterface { get; init; }

    /// <summary>The interface group whose demote counter is held while syncing (<c>group</c>).</summary>
    public string CarpGroup { get; init; } = DefaultGroup;

    public FlushMode FlushMode { get; init; } = FlushMode.Startup;

    public ListenSettings Listen { get; init; } = new();

    /// <summary>Peer addresses or host names, in file order, without duplicates.</summary>
    public ImmutableArray<string> Peers { get; init; } = [];

    public required SharedKey SharedKey { get; init; }

    public DaemonControlMode Control { get; init; } = DaemonControlMode.Isakmpd;

    /// <summary>Follow carp (<see cref="RunMode.Auto"/>) or a locked state (<c>mode master|slave</c>).</summary>
    public RunMode Mode { get; init; } = RunMode.Auto;

    /// <summary><c>mode skipslave</c>: do not sync SAs whose source or destination is a peer.</summary>
    public bool SkipSlave { get; init; }
}

/// <summary><c>listen on ADDRESS|IFNAME [inet|inet6] [port N]</c>.</summary>
public sealed record ListenSettings
{
    /// <summary>An address or interface name; null means every address.</summary>
    public string? On { get; init; }

    public ListenFamily Family { get; init; } = ListenFamily.Any;

    public int Port { get; init; } = SyncSettings.DefaultPort;
}

public enum ListenFamily
{
    Any,
    Inet,
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
    Isakmpd,
    Iked,
    All,
    None,
}

/// <summary><c>mode master|slave</c>, or follow the carp interface.</summary>
public enum RunMode
{
    Auto,
    Master,
    Slave,
}
