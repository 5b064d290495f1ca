using System.CommandLine;
using Sasync.Core.Control;

namespace Sasync.Cli.Commands;

/// <summary>The <c>--control PATH</c> option of every verb that talks to a running daemon.</summary>
internal static class ControlOptions
{
    public static Option<string> Path() => new("--control")
    {
        HelpName = "PATH",
        Description = "The daemon's control socket",
        DefaultValueFactory = _ => ControlClient.DefaultPath,
    };
}
