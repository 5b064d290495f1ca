using Sasync.Core.Config;
using Sasync.Core.Platform;

namespace Sasync.Cli.Commands;

/// <summary><c>sasyncd-cs [-dnv] [-c config-file]</c>: the daemon, or with <c>-n</c> a check of its configuration.</summary>
public static class DaemonCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken,
        IConfigFileInspector? inspector = null)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        _ = stdout;
        if (!DaemonOptions.TryParse(args, out var options, out var error))
        {
            await stderr.WriteAsync($"sasyncd-cs: {error}\n{CommandLine.Usage}").ConfigureAwait(false);
            return 1;
        }

        if (options.CheckOnly)
        {
            var result = await LoadAsync(options, inspector ?? ConfigFileInspectors.ForThisSystem(), ConfigFileCheck.Daemon, stderr).ConfigureAwait(false);
            if (result.IsValid)
            {
                // The original prints this on stderr too.
                await stderr.WriteLineAsync("configuration OK").ConfigureAwait(false);
                return 0;
            }

            return 1;
        }

        return await Daemon.DaemonRunner.RunAsync(options, stderr, cancellationToken).ConfigureAwait(false);
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
