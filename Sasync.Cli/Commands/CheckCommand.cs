using Sasync.Core.Config;
using Sasync.Core.Platform;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>sasyncd-cs check [-c FILE] [--json] [--strict]</c>: validates a configuration for scripts and CI. The owner
/// rule is not applied (configurations live in repositories); bad mode bits are a warning, and
/// <c>--strict</c> makes any warning fail. Exit 0 valid, 1 invalid.
/// </summary>
public static class CheckCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, IConfigFileInspector? inspector = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string? path = null;
        bool json = false, strict = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--strict":
                    strict = true;
                    break;
                case "-c" when i + 1 < args.Length && path is null:
                    path = args[++i];
                    break;
                default:
                    await stderr.WriteAsync($"sasyncd-cs check: unexpected argument \"{args[i]}\"\n{CommandLine.Usage}").ConfigureAwait(false);
                    return 1;
            }
        }

        path ??= ConfigFile.DefaultPath;
        var result = await ConfigFile.LoadAsync(path, inspector ?? new PortableConfigFileInspector(), ConfigFileCheck.Repository).ConfigureAwait(false);
        var valid = result.IsValid && !(strict && result.HasWarnings);
        if (json)
        {
            await stdout.WriteLineAsync(CheckJson.Render(result, valid)).ConfigureAwait(false);
        }
        else
        {
            foreach (var diagnostic in result.Diagnostics)
            {
                await stderr.WriteLineAsync(diagnostic.Format(path)).ConfigureAwait(false);
            }

            if (valid)
            {
                await stdout.WriteLineAsync("configuration OK").ConfigureAwait(false);
            }
        }

        return valid ? 0 : 1;
    }
}
