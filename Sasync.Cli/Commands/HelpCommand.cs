using System.CommandLine;

namespace Sasync.Cli.Commands;

/// <summary><c>sasyncd-cs help</c>: the synopsis of every verb (kept from before <c>--help</c> existed).</summary>
internal static class HelpCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("help", "Print the synopsis of every verb") { Hidden = true };
        command.SetAction(async (_, _) =>
        {
            await console.Out.WriteAsync(CommandLine.Usage).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
