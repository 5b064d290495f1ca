using System.Collections.Concurrent;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>Runs many seeds, in parallel, and says how to replay each one that failed.</summary>
internal static class SimulationBatch
{
    /// <summary>The command that replays one seed with its full trace.</summary>
    public static string ReplayCommand(int seed) => $"sasyncd-cs simulate --seed {seed} --trace";

    /// <summary>Runs seeds <paramref name="first"/> .. first+count-1; the results come back in seed order.</summary>
    public static IReadOnlyList<SimulationResult> Run(int first, int count, SimulationOptions options, int parallelism, CancellationToken cancellationToken = default)
    {
        var results = new ConcurrentDictionary<int, SimulationResult>();
        Parallel.For(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken }, seed =>
        {
            results[seed] = ClusterSimulation.Run(seed, options);
        });
        return [.. results.OrderBy(r => r.Key).Select(r => r.Value)];
    }

    /// <summary>One failing seed as text: what failed, the scenario, the last trace lines and the replay command.</summary>
    public static string Describe(SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new System.Text.StringBuilder();
        text.Append("seed ").Append(result.Seed).AppendLine(" FAILED");
        foreach (var failure in result.Failures)
        {
            text.Append("  invariant ").AppendLine(failure.ToString());
        }

        foreach (var line in result.Scenario)
        {
            text.Append("  scenario  ").AppendLine(line);
        }

        foreach (var line in result.Trace)
        {
            text.Append("  trace     ").AppendLine(line);
        }

        text.Append("  replay:   ").AppendLine(ReplayCommand(result.Seed));
        return text.ToString();
    }
}
