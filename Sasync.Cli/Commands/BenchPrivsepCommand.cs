using System.CommandLine;
using System.Globalization;
using Sasync.Cli.Privsep.Bench;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>bench privsep [--sas N] [--runs N] [--json]</c>: a <c>--platform sim</c> daemon pair as separate processes, with and
/// without privilege separation, alternating, and the medians, minima and maxima of each figure (see <see cref="DaemonPairBenchmark"/>).
/// Needs root, as <c>--privsep</c> does.
/// </summary>
internal static class BenchPrivsepCommand
{
    public static Command Create(CliConsole console)
    {
        var sas = IntOption.InRange("--sas", 50_000, 1, 500_000, "SAs and flows node 1 holds, and SAs relayed");
        var runs = IntOption.InRange("--runs", 5, 1, 50, "Runs of each mode");
        var json = new Option<bool>("--json") { Arity = ArgumentArity.Zero, Description = "Print the figures as JSON" };
        var command = new Command("privsep", "Two sim daemon processes with and without --privsep: snapshot, relay, failover") { sas, runs, json };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(sas), parse.GetValue(runs), parse.GetValue(json), console.Out, console.Error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int sas, int runs, bool json, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
        {
            await stderr.WriteAsync("bench privsep: needs root (privilege separation drops from root)\n").ConfigureAwait(false);
            return 1;
        }

        var results = new List<DaemonPairRun>();
        try
        {
            // Alternating, so a drift of the machine's speed falls on both modes alike.
            for (var run = 0; run < runs; run++)
            {
                foreach (var privsep in new[] { false, true })
                {
                    var result = await DaemonPairBenchmark.RunAsync(sas, privsep, cancellationToken).ConfigureAwait(false);
                    results.Add(result);
                    if (!json)
                    {
                        await stdout.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                            $"  run {run + 1} {(privsep ? "privsep" : "plain  ")}  snapshot {result.SnapshotSeconds:0.000} s  relay {result.RelayPerSecond:N0} SAs/s ({result.RelaySeconds:0.000} s, written in {result.InjectSeconds:0.000} s)  failover {result.FailoverMilliseconds:0.0} ms\n")).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (BenchmarkFailedException e)
        {
            await stderr.WriteAsync($"bench privsep: {e.Message}\n").ConfigureAwait(false);
            return 1;
        }

        var plain = results.Where(r => !r.Privsep).ToList();
        var separated = results.Where(r => r.Privsep).ToList();
        Figure[] figures =
        [
            new("snapshotSeconds", "snapshot", "s", "0.000", r => r.SnapshotSeconds, LowerIsBetter: true),
            new("relayPerSecond", "relay", "SAs/s", "N0", r => r.RelayPerSecond, LowerIsBetter: false),
            new("injectSeconds", "written", "s", "0.000", r => r.InjectSeconds, LowerIsBetter: true),
            new("failoverMilliseconds", "failover", "ms", "0.0", r => r.FailoverMilliseconds, LowerIsBetter: true),
        ];
        if (json)
        {
            await JsonOutput.WriteAsync(stdout, w =>
            {
                w.WriteStartObject();
                w.WriteNumber("sas", sas);
                w.WriteNumber("runs", runs);
                foreach (var (name, mode) in new[] { ("plain", plain), ("privsep", separated) })
                {
                    w.WriteStartObject(name);
                    foreach (var figure in figures)
                    {
                        var values = mode.Select(figure.Value).Order().ToList();
                        w.WriteStartObject(figure.Name);
                        w.WriteNumber("median", Math.Round(Median(values), 4));
                        w.WriteNumber("min", Math.Round(values[0], 4));
                        w.WriteNumber("max", Math.Round(values[^1], 4));
                        w.WriteEndObject();
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }).ConfigureAwait(false);
            return 0;
        }

        await stdout.WriteAsync(string.Create(CultureInfo.InvariantCulture,
            $"privsep: 2 sim daemons on 127.0.0.1-2, {sas:N0} SAs + {sas:N0} flows, {runs} runs each (median, min-max; privsep against plain)\n")).ConfigureAwait(false);
        foreach (var figure in figures)
        {
            var a = plain.Select(figure.Value).Order().ToList();
            var b = separated.Select(figure.Value).Order().ToList();
            var change = (Median(b) / Median(a) - 1) * 100 * (figure.LowerIsBetter ? 1 : -1);
            await stdout.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {figure.Label,-9} plain {Format(a, figure)}  privsep {Format(b, figure)}  {(change >= 0 ? "worse" : "better")} by {Math.Abs(change):0.0} %\n")).ConfigureAwait(false);
        }

        return 0;
    }

    private static string Format(List<double> values, Figure figure) =>
        string.Create(CultureInfo.InvariantCulture, $"{Median(values).ToString(figure.Format, CultureInfo.InvariantCulture)} {figure.Unit} ({values[0].ToString(figure.Format, CultureInfo.InvariantCulture)}-{values[^1].ToString(figure.Format, CultureInfo.InvariantCulture)})");

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    private sealed record Figure(string Name, string Label, string Unit, string Format, Func<DaemonPairRun, double> Value, bool LowerIsBetter);
}
