using System.Globalization;
using Sasync.Core.Simulation.Cluster;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>sasyncd-cs simulate --seed N [--trace]</c> replays one seed of the cluster simulator, with every
/// step when traced; <c>sasyncd-cs simulate --seeds N [--first S]</c> runs N seeds and lists the failing ones.
/// Exit 0 when every invariant held, 1 otherwise, 2 on a bad argument.
/// </summary>
internal static class SimulateCommand
{
    public const string Usage = "usage: sasyncd-cs simulate --seed N [--trace] [--rules current|legacy]\n" +
        "       sasyncd-cs simulate --seeds N [--first S] [--rules current|legacy]\n";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        int? seed = null;
        int? seeds = null;
        var first = 1;
        var trace = false;
        var options = new SimulationOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var ok = true;
            switch (args[i])
            {
                case "--seed":
                    ok = TryTakeInt(args, ref i, out var s);
                    seed = s;
                    break;
                case "--seeds":
                    ok = TryTakeInt(args, ref i, out var n) && n >= 1;
                    seeds = n;
                    break;
                case "--first":
                    ok = TryTakeInt(args, ref i, out first);
                    break;
                case "--trace":
                    trace = true;
                    break;
                case "--rules":
                    var rules = options.SessionRules;
                    ok = ++i < args.Length && SessionRulesByName.TryGet(args[i], out rules);
                    options = options with { SessionRules = rules };

                    break;
                default:
                    ok = false;
                    break;
            }

            if (!ok)
            {
                await stderr.WriteAsync($"simulate: bad argument '{args[Math.Min(i, args.Length - 1)]}'\n{Usage}").ConfigureAwait(false);
                return 2;
            }
        }

        if (seed is null == seeds is null)
        {
            await stderr.WriteAsync($"simulate: give --seed N or --seeds N\n{Usage}").ConfigureAwait(false);
            return 2;
        }

        if (seed is { } one)
        {
            var result = ClusterSimulation.Run(one, options with { Trace = trace });
            foreach (var line in result.Scenario)
            {
                await stdout.WriteLineAsync($"scenario  {line}").ConfigureAwait(false);
            }

            foreach (var line in result.Trace)
            {
                await stdout.WriteLineAsync(line).ConfigureAwait(false);
            }

            foreach (var failure in result.Failures)
            {
                await stdout.WriteLineAsync($"FAILED    {failure}").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(Invariant($"seed {one}: {(result.Passed ? "passed" : "failed")} ({result.Steps} steps)")).ConfigureAwait(false);
            return result.Passed ? 0 : 1;
        }

        var results = SimulationBatch.Run(first, seeds!.Value, options, Environment.ProcessorCount, cancellationToken);
        var failed = results.Where(r => !r.Passed).ToList();
        foreach (var result in failed)
        {
            await stdout.WriteAsync(SimulationBatch.Describe(result)).ConfigureAwait(false);
        }

        await stdout.WriteLineAsync(Invariant($"seeds {first}..{first + seeds.Value - 1}: {results.Count - failed.Count} passed, {failed.Count} failed")).ConfigureAwait(false);
        if (failed.Count > 0)
        {
            await stdout.WriteLineAsync($"failing seeds: {string.Join(' ', failed.Select(r => r.Seed))}").ConfigureAwait(false);
        }

        return failed.Count == 0 ? 0 : 1;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static bool TryTakeInt(string[] args, ref int i, out int value)
    {
        value = 0;
        return ++i < args.Length && int.TryParse(args[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
