using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Sasync.Core.Control;
using Sasync.Core.Loopback;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>bench start [--program PATH]... [--runs N] [--json]</c>: how long a daemon takes from its start to answering
/// <c>status</c>. Each run starts the program as a real process (<c>-d --platform sim</c>, listening on 127.0.0.1 on a
/// port free at that moment, a control socket in a temporary directory), asks the control socket for its status
/// every millisecond until it answers, and kills the daemon. A program ending in <c>.dll</c> runs through dotnet(1)
/// (the JIT build, or ReadyToRun when it was published so); anything else is executed (the NativeAOT binary). Without
/// <c>--program</c> it measures the program it runs as.
/// </summary>
internal static class BenchStartCommand
{
    private const string Config = "peer 127.0.0.2\ninterface carp0\nsharedkey 0x00112233445566778899aabbccddeeff\n";
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(30);

    public static Command Create(CliConsole console)
    {
        var programs = new Option<string[]>("--program")
        {
            Description = "A sasyncd-cs to start: a .dll runs through dotnet, anything else is executed (repeatable; default: this program)",
            HelpName = "PATH",
            AllowMultipleArgumentsPerToken = false,
        };
        var runs = IntOption.InRange("--runs", 10, 1, 1000, "Starts per program");
        var json = new Option<bool>("--json") { Arity = ArgumentArity.Zero, Description = "Print the figures as JSON" };
        var command = new Command("start", "Milliseconds from a daemon's start to its first status answer") { programs, runs, json };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(programs) is { Length: > 0 } given ? given : [ThisProgram()], parse.GetValue(runs), parse.GetValue(json), console, cancellationToken));
        return command;
    }

    /// <summary>The program this process runs: the .dll under dotnet(1), else the executable itself (NativeAOT, apphost).</summary>
    private static string ThisProgram()
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running");
        return IsDotnet(path) ? Path.Combine(AppContext.BaseDirectory, "sasyncd-cs.dll") : path;
    }

    private static bool IsDotnet(string path) => Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.Ordinal);

    private static async Task<int> RunAsync(string[] programs, int runs, bool json, CliConsole console, CancellationToken cancellationToken)
    {
        foreach (var program in programs)
        {
            if (!File.Exists(program))
            {
                await console.Error.WriteAsync($"bench start: no such program: {program}\n").ConfigureAwait(false);
                return 1;
            }
        }

        var figures = new List<(string Program, List<double> Milliseconds)>();
        foreach (var program in programs)
        {
            var milliseconds = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var (elapsed, error) = await StartOnceAsync(program, cancellationToken).ConfigureAwait(false);
                if (error is not null)
                {
                    await console.Error.WriteAsync($"bench start: {program}: {error}\n").ConfigureAwait(false);
                    return 1;
                }

                milliseconds.Add(elapsed);
            }

            figures.Add((program, milliseconds));
        }

        if (json)
        {
            await JsonOutput.WriteAsync(console.Out, w =>
            {
                w.WriteStartObject();
                w.WriteNumber("runs", runs);
                w.WriteStartArray("programs");
                foreach (var (program, milliseconds) in figures)
                {
                    var sorted = milliseconds.Order().ToList();
                    w.WriteStartObject();
                    w.WriteString("program", program);
                    w.WriteNumber("medianMilliseconds", Math.Round(Median(sorted), 1));
                    w.WriteNumber("minMilliseconds", Math.Round(sorted[0], 1));
                    w.WriteNumber("maxMilliseconds", Math.Round(sorted[^1], 1));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }).ConfigureAwait(false);
        }
        else
        {
            foreach (var (program, milliseconds) in figures)
            {
                var sorted = milliseconds.Order().ToList();
                await console.Out.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                    $"start to status: {program}: median {Median(sorted):0.0} ms, min {sorted[0]:0.0}, max {sorted[^1]:0.0} ({runs} runs)\n")).ConfigureAwait(false);
            }
        }

        return 0;
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    /// <summary>One start: milliseconds to the first status answer, or why there was none.</summary>
    private static async Task<(double Milliseconds, string? Error)> StartOnceAsync(string program, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("sasync-bench-start-");
        try
        {
            var config = Path.Combine(directory.FullName, "sasyncd.conf");
            await File.WriteAllTextAsync(config, $"listen on 127.0.0.1 port {LoopbackPorts.FreePort(1)}\n{Config}", cancellationToken).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            var control = Path.Combine(directory.FullName, "control.sock");
            var start = Command(program);
            foreach (var arg in new[] { "-d", "--platform", "sim", "--control", control, "-c", config })
            {
                start.ArgumentList.Add(arg);
            }

            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
            try
            {
                var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
                while (clock.Elapsed < GiveUp)
                {
                    if (process.HasExited)
                    {
                        return (0, $"exited {process.ExitCode} before answering: {(await stderr.ConfigureAwait(false)).Trim()}");
                    }

                    if (File.Exists(control))
                    {
                        try
                        {
                            using var reply = await ControlClient.RequestAsync(control, "status", null, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                            if (reply.RootElement.TryGetProperty("ok", out var ok) && ok.GetBoolean())
                            {
                                return (clock.Elapsed.TotalMilliseconds, null);
                            }
                        }
                        catch (ControlClientException)
                        {
                            // Bound but not yet accepting, or gone: the next round tells.
                        }
                    }

                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }

                return (0, $"no status answer within {GiveUp.TotalSeconds:0} s");
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static ProcessStartInfo Command(string program)
    {
        var info = new ProcessStartInfo { UseShellExecute = false, RedirectStandardError = true, RedirectStandardInput = true };
        if (program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            var processPath = Environment.ProcessPath;
            info.FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? (processPath is not null && IsDotnet(processPath) ? processPath : "dotnet");
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add(program);
        }
        else
        {
            info.FileName = program;
        }

        return info;
    }
}
