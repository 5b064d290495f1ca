using System.Globalization;
using Sasync.Core.Simulation.Cluster;
using Xunit.Abstractions;

namespace Sasync.Tests.Simulation.Cluster;

/// <summary>
/// The deterministic cluster simulator over many seeds. <c>SASYNC_SIM_SEED=N dotnet test --filter
/// ClusterSimulationTests</c> replays seed N alone and prints its full trace.
/// </summary>
public sealed class ClusterSimulationTests(ITestOutputHelper output)
{
    private const int Seeds = 320;

    private static int? ReplaySeed =>
        int.TryParse(Environment.GetEnvironmentVariable("SASYNC_SIM_SEED"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed) ? seed : null;

    [Fact]
    public void Every_seed_holds_every_invariant()
    {
        if (ReplaySeed is { } seed)
        {
            var replay = ClusterSimulation.Run(seed, new SimulationOptions { Trace = true });
            foreach (var line in replay.Scenario.Concat(replay.Trace))
            {
                output.WriteLine(line);
            }

            Assert.True(replay.Passed, string.Join("\n", replay.Failures));
            return;
        }

        var results = SimulationBatch.Run(1, Seeds, new SimulationOptions(), parallelism: 2);

        var failed = results.Where(r => !r.Passed).ToList();
        Assert.True(failed.Count == 0,
            $"{failed.Count} of {Seeds} seeds failed: {string.Join(' ', failed.Select(r => r.Seed))}\n"
            + $"replay one with SASYNC_SIM_SEED=N dotnet test Sasync.Tests --filter {nameof(ClusterSimulationTests)} or {SimulationBatch.ReplayCommand(0).Replace(" 0 ", " N ", StringComparison.Ordinal)}\n"
            + string.Join("\n", failed.Select(SimulationBatch.Describe)));
        Assert.All(results, r => Assert.True(r.Steps > 300, $"seed {r.Seed} did almost nothing ({r.Steps} steps)"));
    }

    [Fact]
    public void Resyncs_by_digest_meet_both_equal_and_different_kernels_with_carp_moving_during_them()
    {
        var results = SimulationBatch.Run(1, 60, new SimulationOptions(), parallelism: 2);

        Assert.All(results, r => Assert.True(r.Passed, string.Join("\n", r.Failures)));
        // The scenario's weight: flips right after a failover, and failovers while a node rejoins empty.
        var flipBack = results.Where(r => r.Scenario.Any(l => l.Contains("and back after", StringComparison.Ordinal))).ToList();
        var rejoin = results.Where(r => r.Scenario.Any(l => l.Contains("fails over to", StringComparison.Ordinal) && l.Contains("after it is back", StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(flipBack);
        Assert.NotEmpty(rejoin);
        Assert.Contains(flipBack, r => r.Resyncs.SkippedByDigest > 0);
        Assert.Contains(rejoin, r => r.Resyncs.DigestMismatches > 0);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(1234)]
    public void The_same_seed_gives_the_same_trace_byte_for_byte(int seed)
    {
        var first = ClusterSimulation.Run(seed, new SimulationOptions { Trace = true });
        var second = ClusterSimulation.Run(seed, new SimulationOptions { Trace = true });

        Assert.True(first.Trace.Count > 200, $"only {first.Trace.Count} trace lines");
        Assert.Equal(string.Join('\n', first.Trace), string.Join('\n', second.Trace));
        Assert.Equal(first.Scenario, second.Scenario);
        Assert.Equal(first.Steps, second.Steps);
    }

    [Fact]
    public void Different_seeds_make_different_runs()
    {
        var scenarios = Enumerable.Range(1, 20).Select(seed => string.Join('\n', ClusterSimulation.Run(seed).Scenario)).ToHashSet();

        Assert.Equal(20, scenarios.Count);
    }

    [Fact]
    public void A_failing_seed_comes_with_its_invariant_the_last_trace_lines_and_how_to_replay_it()
    {
        // The rules before issue 10 redial a session that failed at once: a wrong key is a storm.
        var legacy = new SimulationOptions { SessionRules = SessionRulesKind.Legacy };
        var result = Enumerable.Range(1, 60)
            .Where(s => ClusterSimulation.Run(s).Scenario.Any(line => line.Contains("another key", StringComparison.Ordinal)))
            .Select(s => ClusterSimulation.Run(s, legacy))
            .First(r => !r.Passed);
        var seed = result.Seed;
        var text = SimulationBatch.Describe(result);

        Assert.Contains(result.Failures, f => f.Invariant == "sessions per peer per minute");
        Assert.Equal(new SimulationOptions().FailureTraceLines, result.Trace.Count);
        Assert.Contains($"sasyncd-cs simulate --seed {seed} --trace", text, StringComparison.Ordinal);
    }
}
