namespace Sasync.Core.Hosting;

/// <summary>One process of the daemon, as <c>status</c> shows it.</summary>
public sealed record DaemonProcessInfo(DaemonProcessRole Role, int Pid, string User);

/// <summary>
/// What a daemon process does: the privileged one holds what needs root (and, without privilege
/// separation, everything); the network one talks to peers and runs the engine.
/// </summary>
public enum DaemonProcessRole
{
    /// <summary>Root: holds what needs root and serves the fixed set of requests (<c>"privileged"</c> in status).</summary>
    Privileged,

    /// <summary>Unprivileged: peers, frames, the engine (<c>"network"</c> in status); the only process without privilege separation.</summary>
    Network,
}
