namespace Sasync.Cli.Commands;

/// <summary><c>sasyncd-cs bench &lt;what&gt; ...</c>: throughput and allocation measurements (never part of the tests' timing).</summary>
internal static class BenchCommand
{
    public const string Usage = "usage: sasyncd-cs bench codec [--size N] [--seconds S] [--key-bits 128|192|256] [--json]\n" +
        "       sasyncd-cs bench sync [--sas N] [--json]\n" +
        "       sasyncd-cs bench config [--peers N] [--runs N] [--json]\n";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        switch (args)
        {
            // One line per benchmark.
            case ["codec", .. var rest]: return await BenchCodecCommand.RunAsync(rest, stdout, stderr, cancellationToken).ConfigureAwait(false);
            case ["sync", .. var rest]: return await BenchSyncCommand.RunAsync(rest, stdout, stderr, cancellationToken).ConfigureAwait(false);
            case ["config", .. var rest]: return await BenchConfigCommand.RunAsync(rest, stdout, stderr, cancellationToken).ConfigureAwait(false);
            default:
                await stderr.WriteAsync(Usage).ConfigureAwait(false);
                return 1;
        }
    }
}
