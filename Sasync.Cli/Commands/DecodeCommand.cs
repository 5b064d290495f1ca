namespace Sasync.Cli.Commands;

/// <summary><c>sasyncd-cs decode &lt;what&gt; ...</c>: decodes captured bytes and prints them as JSON.</summary>
public static class DecodeCommand
{
    public const string Usage = "usage: sasyncd-cs decode frame --key KEY [HEX|-]\n       sasyncd-cs decode pfkey [HEX|-]\n";

    /// <param name="stdin">Where "-" or a missing argument reads from; the console when null.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TextReader? stdin = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var rest = args.Length > 0 ? args[1..] : [];
        stdin ??= Console.In;
        switch (args.FirstOrDefault())
        {
            // One line per kind of input.
            case "frame": return await DecodeFrameCommand.RunAsync(rest, stdout, stdin).ConfigureAwait(false);
            case "pfkey": return await DecodePfKeyCommand.RunAsync(rest, stdin, stdout, stderr).ConfigureAwait(false);
            default:
                await stderr.WriteAsync(Usage).ConfigureAwait(false);
                return 1;
        }
    }
}
