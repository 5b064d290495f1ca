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
}
