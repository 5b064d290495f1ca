using System.Diagnostics.CodeAnalysis;
using Sasync.Core.Config;

namespace Sasync.Cli.Commands;

/// <summary>The OpenBSD-compatible daemon flags <c>[-dnv] [-c config-file]</c>, read as getopt("c:dnv") does.</summary>
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

    /// <summary><c>--sim-demote N</c>: the simulated carp group's demote counter at start (0..255), as a boot sequence leaves it.</summary>
    public int SimulatedDemotion { get; init; }

    /// <summary><c>--isakmpd-fifo PATH</c>: isakmpd's control FIFO; on the simulated platform, set it to drive a real FIFO.</summary>
    public string? IsakmpdFifo { get; init; }

    /// <summary><c>--iked-socket PATH</c>: iked's control socket; on the simulated platform, set it to drive a real socket.</summary>
    public string? IkedSocket { get; init; }

    /// <summary>
    /// <c>--privsep</c>: privilege separation, on by default on OpenBSD (see <see cref="UsesPrivsep"/>):
    /// a privileged process keeps what needs root and an unprivileged one faces the network.
    /// </summary>
    public bool Privsep { get; init; }

    /// <summary><c>--privsep-user NAME</c>: who the network process runs as (<c>_isakmpd</c> on OpenBSD, <c>nobody</c> elsewhere).</summary>
    public string? PrivsepUser { get; init; }

    /// <summary><c>--privsep-child SPEC</c>, internal: this process is the network process, with the descriptors SPEC names.</summary>
    public string? PrivsepChild { get; init; }

    /// <summary>Whether this daemon separates privileges: asked for, or the OpenBSD platform on OpenBSD.</summary>
    public bool UsesPrivsep(bool onOpenBsd) => Privsep || (onOpenBsd && Platform == DaemonPlatform.OpenBsd);

    /// <summary>Reads the flags; <paramref name="error"/> says what is wrong (then print the usage).</summary>
    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out DaemonOptions? options, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        options = null;
        var result = new DaemonOptions();
        string? configPath = null;
        var index = 0;
        for (; index < args.Count; index++)
        {
            var arg = args[index];
            if (arg == "--")
            {
                index++;
                break;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                break;
            }

            if (arg == "--privsep")
            {
                result = result with { Privsep = true };
                continue;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (index + 1 >= args.Count)
                {
                    error = $"option {arg} requires an argument";
                    return false;
                }

                if (!TryApplyLong(result, arg, args[++index], out result, out error))
                {
                    return false;
                }

                continue;
            }

            for (var at = 1; at < arg.Length; at++)
            {
                switch (arg[at])
                {
                    case 'd':
                        result = result with { Foreground = true };
                        break;
                    case 'n':
                        result = result with { CheckOnly = true };
                        break;
                    case 'v':
                        result = result with { Verbosity = result.Verbosity + 1 };
                        break;
                    case 'c':
                        // The file is the rest of this argument, or the next one.
                        var value = at + 1 < arg.Length ? arg[(at + 1)..] : index + 1 < args.Count ? args[++index] : null;
                        if (value is null)
                        {
                            error = "option requires an argument -- c";
                            return false;
                        }

                        if (configPath is not null)
                        {
                            error = "-c given twice";
                            return false;
                        }

                        configPath = value;
                        at = arg.Length;
                        break;
                    default:
                        error = $"unknown option -- {arg[at]}";
                        return false;
                }
            }
        }

        if (index < args.Count)
        {
            error = $"unexpected argument \"{args[index]}\"";
            return false;
        }

        options = configPath is null ? result : result with { ConfigPath = configPath };
        error = null;
        return true;
    }

    private static bool TryApplyLong(DaemonOptions options, string name, string value, out DaemonOptions result, [NotNullWhen(false)] out string? error)
    {
        error = null;
        result = options;
        switch (name)
        {
            case "--platform" when value is "openbsd" or "sim":
                result = options with { Platform = value == "sim" ? DaemonPlatform.Simulated : DaemonPlatform.OpenBsd };
                return true;
            case "--platform":
                error = $"--platform must be openbsd or sim, not \"{value}\"";
                return false;
            case "--control":
                result = options with { ControlPath = value };
                return true;
            case "--sim-carp" when value is "master" or "backup" or "init":
                result = options with { SimulatedCarp = Enum.Parse<Core.Simulation.CarpState>(value, ignoreCase: true) };
                return true;
            case "--sim-carp":
                error = $"--sim-carp must be master, backup or init, not \"{value}\"";
                return false;
            case "--sim-demote" when int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var demotion) && demotion <= Core.Simulation.SimulatedCarpGroup.MaxDemoteCounter:
                result = options with { SimulatedDemotion = demotion };
                return true;
            case "--sim-demote":
                error = $"--sim-demote must be a number from 0 to {Core.Simulation.SimulatedCarpGroup.MaxDemoteCounter}, not \"{value}\"";
                return false;
            case "--isakmpd-fifo":
                result = options with { IsakmpdFifo = value };
                return true;
            case "--iked-socket":
                result = options with { IkedSocket = value };
                return true;
            case "--privsep-user":
                result = options with { PrivsepUser = value };
                return true;
            case "--privsep-child":
                result = options with { PrivsepChild = value };
                return true;
            default:
                error = $"unknown option {name}";
                return false;
        }
    }
}

/// <summary>Which kernel the daemon runs on.</summary>
public enum DaemonPlatform
{
    OpenBsd,
    Simulated,
}
