using System.CommandLine;
using System.Globalization;
using Sasync.Core.Simulation.Cluster;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>sasyncd-cs simulate --seed N [--trace]</c> replays one seed of the cluster simulator, with every
/// step when traced; <c>sasyncd-cs simulate --seeds N [--first S]</c> runs N seeds and lists the failing ones.
/// Exit 0 when every invariant held, 1 otherwise.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create(CliConsole console)
    {
        var seed = IntOption.Optional("--seed", int.MinValue, int.MaxValue, "Run this one seed");
        var seeds = IntOption.Optional("--seeds", 1, 1_000_000, "Run this many seeds (1..1000000)");
        var first = IntOption.InRange("--first", 1, int.MinValue / 2, int.MaxValue / 2, "The first of --seeds");
        var trace = new Option<bool>("--trace") { Arity = ArgumentArity.Zero, Description = "Print every step of the --seed run" };
        var rules = new Option<string>("--rules")
        {
            DefaultValueFactory = _ => "current",
            Description = "Session rules of the sasyncd-cs nodes: current, or legacy (before issue 10)",
            HelpName = "current|legacy",
        }.OneOf("current", "legacy");
        var command = new Command("simulate", "Deterministic simulation of whole clusters under faults, checked against invariants")
        {
            seed, seeds, first, trace, rules,
        };
        command.Validators.Add(result =>
        {
            // Presence only: a value the option refused is reported by the option itself.
            if (result.GetResult(seed) is { Implicit: false } == result.GetResult(seeds) is { Implicit: false })
            {
                result.AddError("give --seed N or --seeds N");
            }
        });
        command.SetAction((parse, cancellationToken) =>
        {
            SessionRulesByName.TryGet(parse.GetValue(rules)!, out var kind);
            var options = new SimulationOptions { SessionRules = kind };
            return parse.GetValue(seed) is { } one
                ? RunOneAsync((int)one, options with { Trace = parse.GetValue(trace) }, console.Out)
                : RunManyAsync(parse.GetValue(first), (int)parse.GetValue(seeds)!.Value, options, console.Out, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunOneAsync(int seed, SimulationOptions options, TextWriter stdout)
    {
        var result = ClusterSimulation.Run(seed, options);
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

        await stdout.WriteLineAsync(Invariant($"seed {seed}: {(result.Passed ? "passed" : "failed")} ({result.Steps} steps)")).ConfigureAwait(false);
        return result.Passed ? 0 : 1;
    }

    private static async Task<int> RunManyAsync(int first, int count, SimulationOptions options, TextWriter stdout, CancellationToken cancellationToken)
    {
        var results = SimulationBatch.Run(first, count, options, Environment.ProcessorCount, cancellationToken);
        var failed = results.Where(r => !r.Passed).ToList();
        foreach (var result in failed)
        {
            await stdout.WriteAsync(SimulationBatch.Describe(result)).ConfigureAwait(false);
        }

        await stdout.WriteLineAsync(Invariant($"seeds {first}..{first + count - 1}: {results.Count - failed.Count} passed, {failed.Count} failed")).ConfigureAwait(false);
        if (failed.Count > 0)
        {
            await stdout.WriteLineAsync($"failing seeds: {string.Join(' ', failed.Select(r => r.Seed))}").ConfigureAwait(false);
        }

        return failed.Count == 0 ? 0 : 1;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
