using System.Diagnostics.CodeAnalysis;
using Sasync.Core.Config;

namespace Sasync.Cli.Commands;

/// <summary>The daemon's settings from its command line: the original's <c>[-dnv] [-c config-file]</c> and our long options (<see cref="DaemonFlags"/>).</summary>
public sealed record DaemonOptions
{
    /// <summary><c>-c</c>: the configuration file.</summary>
    public string ConfigPath { get; init; } = ConfigFile.DefaultPath;

    /// <summary><c>-d</c>: stay in the foreground and log to stderr instead of syslog.</summary>
    public bool Foreground { get; init; }

    /// <summary><c>-n</c>: check the configuration and exit.</summary>
    public bool CheckOnly { get; init; }

    /// <summary>How many times <c>-v</c> was given.</summary>
    public int Verbosity { get; init; }

    /// <summary><c>--platform openbsd|sim</c>: the real kernel, or the simulated one (any OS).</summary>
    public DaemonPlatform Platform { get; init; } = DaemonPlatform.OpenBsd;

    /// <summary><c>--control PATH</c>: the control socket for <c>status</c> and the <c>sim</c> verbs.</summary>
    public string ControlPath { get; init; } = Core.Control.ControlClient.DefaultPath;

    /// <summary><c>--sim-carp master|backup|init</c>: the simulated carp state at start.</summary>
    public Core.Simulation.CarpState SimulatedCarp { get; init; } = Core.Simulation.CarpState.Backup;

    /// <summary><c>--isakmpd-fifo PATH</c>: isakmpd's control FIFO; on the simulated platform, set it to drive a real FIFO.</summary>
    public string? IsakmpdFifo { get; init; }

    /// <summary><c>--iked-socket PATH</c>: iked's control socket; on the simulated platform, set it to drive a real socket.</summary>
    public string? IkedSocket { get; init; }

    /// <summary><c>--sim-demote N</c>: the simulated carp group's demote counter at start (0..255), as a boot sequence leaves it.</summary>
    public int SimulatedDemotion { get; init; }

    /// <summary>
    /// <c>--privsep</c>: privilege separation, on by default with the OpenBSD platform on OpenBSD (see <see cref="UsesPrivsep"/>):
    /// a privileged process keeps what needs root and an unprivileged one faces the network.
    /// </summary>
    public bool Privsep { get; init; }

    /// <summary><c>--no-privsep</c>: one process even where privilege separation is the default.</summary>
    public bool NoPrivsep { get; init; }

    /// <summary><c>--privsep-user NAME</c>: who the network process runs as (<c>_isakmpd</c> on OpenBSD, <c>nobody</c> elsewhere).</summary>
    public string? PrivsepUser { get; init; }

    /// <summary><c>--privsep-child SPEC</c>, internal: this process is the network process, with the descriptors SPEC names.</summary>
    public string? PrivsepChild { get; init; }

    /// <summary>Whether this daemon separates privileges: asked for, or the OpenBSD platform on OpenBSD unless turned off.</summary>
    public bool UsesPrivsep(bool onOpenBsd) => Privsep || (!NoPrivsep && onOpenBsd && Platform == DaemonPlatform.OpenBsd);

    /// <summary>Reads the daemon's flags with the same parser as the command line; <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out DaemonOptions? options, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var flags = new DaemonFlags();
        var root = new System.CommandLine.Command("sasyncd-cs");
        flags.AddTo(root);
        var parse = root.Parse(GetoptBundles.Expand(args), CommandLine.ParserSettings);
        var errors = ParseErrors.Describe(parse);
        if (errors.Count > 0)
        {
            options = null;
            error = string.Join("; ", errors);
            return false;
        }

        options = flags.Read(parse);
        error = null;
        return true;
    }
}

/// <summary>Which kernel the daemon runs on.</summary>
public enum DaemonPlatform
{
    OpenBsd,
    Simulated,
}
