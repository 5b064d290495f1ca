using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core.Loopback;

namespace Sasync.Cli.Commands;

/// <summary><c>sasyncd-cs demo [--nodes N] [--sas N]</c>: runs <see cref="DemoScenario"/> and prints it step by step.</summary>
internal static class DemoCommand
{
    public const string Usage = "usage: sasyncd-cs demo [--nodes N] [--sas N]\n";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var nodes = 2;
        var sas = 100;
        for (var i = 0; i < args.Length; i++)
        {
            var ok = args[i] switch
            {
                "--nodes" => TryTakeInt(args, ref i, out nodes) && nodes is >= 2 and <= 16,
                "--sas" => TryTakeInt(args, ref i, out sas) && sas is >= 1 and <= 1_000_000,
                _ => false,
            };
            if (!ok)
            {
                await stderr.WriteAsync($"demo: bad argument '{args[Math.Min(i, args.Length - 1)]}' (--nodes 2..16, --sas 1..1000000)\n{Usage}").ConfigureAwait(false);
                return 1;
            }
        }

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

    private static bool TryTakeInt(string[] args, ref int i, out int value)
    {
        value = 0;
        return ++i < args.Length && int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
