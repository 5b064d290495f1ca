using Sasync.Cli;
using Sasync.Core.Platform;

namespace Sasync.Tests.Cli;

/// <summary>Runs the command line in-process and keeps what it printed.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(args, stdin: "");

    public static async Task<CliRun> RunAsync(string[] args, string stdin, IConfigFileInspector? inspector = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var input = new StringReader(stdin);
        var code = await CommandLine.RunAsync(args, stdout, stderr, CancellationToken.None, input, inspector);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }
}
