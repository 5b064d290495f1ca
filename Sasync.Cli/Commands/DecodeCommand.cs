using System.CommandLine;

namespace Sasync.Cli.Commands;

/// <summary><c>sasyncd-cs decode frame|pfkey ...</c>: decodes captured bytes and prints them as JSON.</summary>
internal static class DecodeCommand
{
    public static Command Create(CliConsole console) =>
        new("decode", "Decode captured bytes and print them as JSON")
        {
            // One line per kind of input.
            DecodeFrameCommand.Create(console),
            DecodePfKeyCommand.Create(console),
        };
}
