using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core.Loopback;

namespace Sasync.Cli.Commands;

/// <summary><c>sasyncd-cs demo [--nodes N] [--sas N]</c>: runs <see cref="DemoScenario"/> and prints it step by step.</summary>
internal static class DemoCommand
{
    public static Command Create(CliConsole console)
    {
        var nodes = IntOption.InRange("--nodes", 2, 2, 16, "Nodes, on 127.0.0.1 up");
        var sas = IntOption.InRange("--sas", 100, 1, 1_000_000, "Tunnels (one SA and one flow each)");
        var command = new Command("demo", "An HA cluster in one process that replicates, fails over and recovers") { nodes, sas };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(nodes), parse.GetValue(sas), console.Out, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int nodes, int sas, TextWriter stdout, CancellationToken cancellationToken)
    {
        await stdout.WriteLineAsync(Invariant($"sasyncd-cs demo: {nodes} nodes, {sas} tunnels, simulated kernels, real TCP on 127.0.0.1-{nodes}")).ConfigureAwait(false);
        await stdout.WriteLineAsync().ConfigureAwait(false);
        await stdout.WriteLineAsync(Invariant($"  {"node",-8} {"event",-18} {"ms",9}  detail")).ConfigureAwait(false);
        var options = new DemoOptions { Nodes = nodes, Sas = sas };
        // Steps are printed as they come; the writer is not thread-safe, so they are written from here in order.
        var lines = new List<string>();
        var outcome = await DemoScenario.RunAsync(options, step =>
        {
            var took = step.Took is { } t ? t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) : "";
            var line = Invariant($"{(step.Ok ? " " : "!")} {step.Node,-8} {step.Title,-18} {took,9}  {step.Detail}");
            lock (lines)
            {
                lines.Add(line);
                stdout.WriteLine(line);
            }
        }, NullLoggerFactory.Instance, cancellationToken).ConfigureAwait(false);

        await stdout.WriteLineAsync().ConfigureAwait(false);
        if (outcome.Converged)
        {
            await stdout.WriteLineAsync(Invariant($"converged: all {nodes} nodes hold the same {outcome.Sas} SAs and {outcome.Flows} flows ({outcome.Elapsed.TotalSeconds:0.00} s in all)")).ConfigureAwait(false);
            return 0;
        }

        await stdout.WriteLineAsync(Invariant($"NOT converged after {outcome.Elapsed.TotalSeconds:0.00} s:")).ConfigureAwait(false);
        foreach (var difference in outcome.Differences)
        {
            await stdout.WriteLineAsync($"  {difference}").ConfigureAwait(false);
        }

        return 1;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
