using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sasync.Core.Config;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>bench config [--peers N] [--runs N] [--json]</c>: how long <c>check</c> takes on a big file. Without
/// <c>--peers</c> the file holds as many <c>peer</c> lines as fit in the 1 MiB limit (about 61 000 of 14 to 18 bytes). Each run is
/// the whole path of <c>check</c>: examine the file, read it, parse it, apply the file rule.
/// </summary>
internal static class BenchConfigCommand
{
    private const string Header = "interface carp0\nsharedkey 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";

    public static Command Create(CliConsole console)
    {
        var peers = IntOption.Optional("--peers", 1, 1_000_000, "Peers in the file (default: as many as fit in 1 MiB)");
        var runs = IntOption.InRange("--runs", 5, 1, 100, "Timed runs after the first");
        var json = new Option<bool>("--json") { Arity = ArgumentArity.Zero, Description = "Print the figures as JSON" };
        var command = new Command("config", "How long check takes on a file of peers filling the 1 MiB limit") { peers, runs, json };
        command.SetAction((parse, cancellationToken) =>
            RunAsync((int?)parse.GetValue(peers), parse.GetValue(runs), parse.GetValue(json), console.Out, console.Error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int? peers, int runs, bool json, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var (text, count) = Generate(peers);
        var directory = Directory.CreateTempSubdirectory("sasync-bench-config-");
        try
        {
            var path = Path.Combine(directory.FullName, "sasyncd.conf");
            await File.WriteAllTextAsync(path, text, cancellationToken).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            var inspector = new PortableConfigFileInspector();
            var seconds = new List<double>();
            var cpuSeconds = new List<double>();
            ConfigResult? result = null;
            using var process = Process.GetCurrentProcess();
            for (var run = 0; run <= runs; run++)
            {
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                result = await ConfigFile.LoadAsync(path, inspector, ConfigFileCheck.Repository, cancellationToken: cancellationToken).ConfigureAwait(false);
                seconds.Add(clock.Elapsed.TotalSeconds);
                process.Refresh();
                cpuSeconds.Add((process.TotalProcessorTime - cpu).TotalSeconds);
            }

            if (result is not { IsValid: true } || result.Settings!.Peers.Length != count)
            {
                await stderr.WriteAsync($"bench config: the generated file did not load with its {count} peers\n").ConfigureAwait(false);
                return 1;
            }

            // The first run pays for JIT compilation, as a `check` process does; the rest are steady state.
            var first = seconds[0];
            var steady = seconds.Skip(1).Order().ToList();
            var median = steady[steady.Count / 2];
            // CPU time as well: on a shared machine the wall clock also counts other processes' turns.
            var medianCpu = cpuSeconds.Skip(1).Order().ToList()[steady.Count / 2];
            var bytes = Encoding.UTF8.GetByteCount(text);
            if (json)
            {
                await JsonOutput.WriteAsync(stdout, w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("bytes", bytes);
                    w.WriteNumber("peers", count);
                    w.WriteNumber("firstSeconds", Math.Round(first, 4));
                    w.WriteNumber("medianSeconds", Math.Round(median, 4));
                    w.WriteNumber("firstCpuSeconds", Math.Round(cpuSeconds[0], 4));
                    w.WriteNumber("medianCpuSeconds", Math.Round(medianCpu, 4));
                    w.WriteNumber("runs", runs);
                    w.WriteEndObject();
                }).ConfigureAwait(false);
            }
            else
            {
                await stdout.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                    $"config: {bytes:N0} bytes, {count:N0} peers: first load {first:0.000} s ({cpuSeconds[0]:0.000} s CPU, with JIT), median of {runs} more {median:0.000} s ({medianCpu:0.000} s CPU)\n")).ConfigureAwait(false);
            }

            return 0;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The required settings and <paramref name="peers"/> distinct peers, or as many as fit in the size limit.</summary>
    private static (string Text, int Peers) Generate(int? peers)
    {
        var text = new StringBuilder(Header);
        var count = 0;
        while (peers is not { } wanted || count < wanted)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"peer 10.{(count >> 16) & 255}.{(count >> 8) & 255}.{count & 255}\n");
            if (peers is null && text.Length + line.Length > ConfigFile.MaxBytes)
            {
                break;
            }

            text.Append(line);
            count++;
        }

        return (text.ToString(), count);
    }
}
