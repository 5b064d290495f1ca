using System.CommandLine;

namespace Sasync.Cli.Commands;

/// <summary><c>sasyncd-cs bench codec|sync ...</c>: throughput and allocation measurements (never part of the tests' timing).</summary>
internal static class BenchCommand
{
    public static Command Create(CliConsole console) =>
        new("bench", "Throughput and allocation measurements")
        {
            // One line per benchmark.
            BenchCodecCommand.Create(console),
            BenchSyncCommand.Create(console),
            BenchConfigCommand.Create(console),
            BenchPrivsepCommand.Create(console),
            BenchStartCommand.Create(console),
        };
}
