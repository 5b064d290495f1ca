using Sasync.Core.Simulation.Cluster;

namespace Sasync.Tests.Cli;

public sealed class SimulateCommandTests
{
    [Fact]
    public async Task A_seed_replays_with_its_scenario_and_full_trace()
    {
        var expected = ClusterSimulation.Run(3, new SimulationOptions { Trace = true });

        var run = await CliRun.RunAsync("simulate", "--seed", "3", "--trace");

        Assert.Equal(expected.Passed ? 0 : 1, run.ExitCode);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Scenario.Count + expected.Trace.Count + expected.Failures.Count + 1, lines.Length);
        Assert.Equal(expected.Trace, lines.Skip(expected.Scenario.Count).Take(expected.Trace.Count));
        Assert.EndsWith($"seed 3: {(expected.Passed ? "passed" : "failed")} ({expected.Steps} steps)", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_trace_a_seed_prints_only_its_scenario_and_outcome()
    {
        var run = await CliRun.RunAsync("simulate", "--seed", "3");

        Assert.DoesNotContain(" node1      ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("scenario", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_seeds_end_with_a_count_and_the_failing_seeds()
    {
        var expected = SimulationBatch.Run(1, 4, new SimulationOptions { SessionRules = SessionRulesKind.Legacy }, 2);
        var failing = expected.Where(r => !r.Passed).Select(r => r.Seed).ToList();

        var run = await CliRun.RunAsync("simulate", "--seeds", "4", "--rules", "legacy");

        Assert.Equal(failing.Count == 0 ? 0 : 1, run.ExitCode);
        Assert.Contains($"seeds 1..4: {4 - failing.Count} passed, {failing.Count} failed", run.Stdout, StringComparison.Ordinal);
        foreach (var seed in failing)
        {
            Assert.Contains($"sasyncd-cs simulate --seed {seed} --trace", run.Stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData]
    [InlineData("--seed")]
    [InlineData("--seed", "x")]
    [InlineData("--seed", "1", "--seeds", "2")]
    [InlineData("--seeds", "0")]
    [InlineData("--seed", "1", "--rules", "newest")]
    [InlineData("--bogus")]
    public async Task Bad_arguments_exit_1_with_what_is_wrong(params string[] args)
    {
        var run = await CliRun.RunAsync(["simulate", .. args]);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("sasyncd-cs simulate: ", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }
}
