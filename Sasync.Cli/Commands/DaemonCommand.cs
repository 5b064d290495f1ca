using System.CommandLine;
using Sasync.Core.Config;
using Sasync.Core.Platform;

namespace Sasync.Cli.Commands;

/// <summary><c>sasyncd-cs [-dnv] [-c config-file] ...</c>: the daemon, or with <c>-n</c> a check of its configuration. It is the root command.</summary>
public static class DaemonCommand
{
    internal static void Configure(Command root, CliConsole console)
    {
        var flags = new DaemonFlags();
        flags.AddTo(root);
        root.SetAction((parse, cancellationToken) => RunAsync(flags.Read(parse), console, cancellationToken));
    }

    internal static async Task<int> RunAsync(DaemonOptions options, CliConsole console, CancellationToken cancellationToken)
    {
        if (options.CheckOnly)
        {
            var result = await LoadAsync(options, console.Inspector ?? ConfigFileInspectors.ForThisSystem(), ConfigFileCheck.Daemon, console.Error).ConfigureAwait(false);
            if (result.IsValid)
            {
                // The original prints this on stderr too.
                await console.Error.WriteLineAsync("configuration OK").ConfigureAwait(false);
                return 0;
            }

            return 1;
        }

        return await Daemon.DaemonRunner.RunAsync(options, console.Error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads the configuration under the original's file rule, as the daemon does when it starts, and prints
    /// every diagnostic as <c>FILE:LINE:COLUMN: message</c> on <paramref name="stderr"/>.
    /// </summary>
    public static async Task<ConfigResult> LoadAsync(DaemonOptions options, IConfigFileInspector inspector, ConfigFileCheck check, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stderr);
        var result = await ConfigFile.LoadAsync(options.ConfigPath, inspector, check).ConfigureAwait(false);
        foreach (var diagnostic in result.Diagnostics)
        {
            await stderr.WriteLineAsync(diagnostic.Format(options.ConfigPath)).ConfigureAwait(false);
        }

        return result;
    }
}
