using System.CommandLine;
using Sasync.Core.Config;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>sasyncd-cs check [-c FILE] [--json] [--strict] [--check-mode]</c>: validates a configuration for scripts and CI.
/// The owner rule is never applied and the mode bits only with <c>--check-mode</c> (configurations live in
/// repositories, and git keeps files at 0644); <c>--strict</c> makes any warning fail. Exit 0 valid, 1 invalid.
/// </summary>
public static class CheckCommand
{
    internal static Command Create(CliConsole console)
    {
        var config = new Option<string>("-c") { HelpName = "config-file", Description = $"The file to check (default {ConfigFile.DefaultPath})" };
        var json = new Option<bool>("--json") { Arity = ArgumentArity.Zero, Description = "Print one JSON object on stdout" };
        var strict = new Option<bool>("--strict") { Arity = ArgumentArity.Zero, Description = "Fail on any warning" };
        var checkMode = new Option<bool>("--check-mode") { Arity = ArgumentArity.Zero, Description = "Also warn when group or others may read the file, as the daemon refuses it" };
        var command = new Command("check", "Validate a configuration file for scripts and CI") { config, json, strict, checkMode };
        command.SetAction((parse, _) => RunAsync(
            parse.GetValue(config) ?? ConfigFile.DefaultPath, parse.GetValue(json), parse.GetValue(strict), parse.GetValue(checkMode), console));
        return command;
    }

    private static async Task<int> RunAsync(string path, bool json, bool strict, bool checkMode, CliConsole console)
    {
        var inspector = console.Inspector ?? new PortableConfigFileInspector();
        var result = await ConfigFile.LoadAsync(path, checkMode ? inspector : new ModeIgnoringInspector(inspector), ConfigFileCheck.Repository).ConfigureAwait(false);
        var valid = result.IsValid && !(strict && result.HasWarnings);
        if (json)
        {
            await console.Out.WriteLineAsync(CheckJson.Render(result, valid)).ConfigureAwait(false);
        }
        else
        {
            foreach (var diagnostic in result.Diagnostics)
            {
                await console.Error.WriteLineAsync(diagnostic.Format(path)).ConfigureAwait(false);
            }

            if (valid)
            {
                await console.Out.WriteLineAsync("configuration OK").ConfigureAwait(false);
            }
        }

        return valid ? 0 : 1;
    }
}
