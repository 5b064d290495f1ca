using Sasync.Cli;

namespace Sasync.Tests.Cli;

/// <summary>Runs the command line in-process and keeps what it printed.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CommandLine.RunAsync(args, stdout, stderr, CancellationToken.None);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }
}
