namespace Sasync.Tests.Cli;

public sealed class DemoCommandTests
{
    [Theory]
    [InlineData("2")]
    [InlineData("3")]
    public async Task Demo_fails_over_reboots_and_converges(string nodes)
    {
        var run = await CliRun.RunAsync("demo", "--nodes", nodes, "--sas", "20");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains($"converged: all {nodes} nodes hold the same 22 SAs and 22 flows", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("isakmpd active", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("snapshot", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("undemoted", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("timed out", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--nodes must be 2..16, not '1'", "--nodes", "1")]
    [InlineData("--sas must be 1..1000000, not '0'", "--sas", "0")]
    [InlineData("--sas must be 1..1000000, not 'many'", "--sas", "many")]
    [InlineData("unknown option '--bogus'", "--bogus")]
    public async Task Bad_arguments_are_named_and_exit_1(string message, params string[] args)
    {
        var run = await CliRun.RunAsync(["demo", .. args]);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"sasyncd-cs demo: {message}", run.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("run 'sasyncd-cs demo --help' for its options\n", run.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }
}
