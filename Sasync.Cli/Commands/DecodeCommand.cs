namespace Sasync.Cli.Commands;

/// <summary><c>sasyncd-cs decode &lt;what&gt; ...</c>: decodes captured bytes and prints them as JSON.</summary>
internal static class DecodeCommand
{
    public const string Usage = "usage: sasyncd-cs decode frame --key KEY [HEX|-]\n       sasyncd-cs decode pfkey [HEX|-]\n";

    /// <param name="stdin">Where "-" or a missing argument reads from; the console when null.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TextReader? stdin = null)
    {
        switch (args)
        {
            // One line per kind of input.
            case ["frame", .. var rest]: return await DecodeFrameCommand.RunAsync(rest, stdout, stdin ?? Console.In).ConfigureAwait(false);
            case ["pfkey", .. var rest]: return await DecodePfKeyCommand.RunAsync(rest, stdin ?? Console.In, stdout, stderr).ConfigureAwait(false);
            default:
                await stderr.WriteAsync(Usage).ConfigureAwait(false);
                return 1;
        }
    }
}
