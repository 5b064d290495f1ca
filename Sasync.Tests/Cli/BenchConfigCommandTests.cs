using System.Text.Json;
using Sasync.Core.Config;

namespace Sasync.Tests.Cli;

public sealed class BenchConfigCommandTests
{
    [Fact]
    public async Task Json_output_names_the_file_it_loaded()
    {
        var run = await CliRun.RunAsync("bench", "config", "--peers", "1000", "--runs", "1", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal((1000, 1), (root.GetProperty("peers").GetInt32(), root.GetProperty("runs").GetInt32()));
        Assert.InRange(root.GetProperty("bytes").GetInt32(), 1000 * "peer 10.0.0.0\n".Length, ConfigFile.MaxBytes);
        foreach (var key in new[] { "firstSeconds", "medianSeconds", "firstCpuSeconds", "medianCpuSeconds" })
        {
            Assert.True(root.GetProperty(key).GetDouble() >= 0, key);
        }
    }

    [Fact]
    public async Task Without_a_count_the_file_fills_the_size_limit()
    {
        var run = await CliRun.RunAsync("bench", "config", "--runs", "1", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var bytes = json.RootElement.GetProperty("bytes").GetInt32();
        // Within one peer line of the limit, never over it.
        Assert.InRange(bytes, ConfigFile.MaxBytes - "peer 10.255.255.255\n".Length, ConfigFile.MaxBytes);
        Assert.InRange(json.RootElement.GetProperty("peers").GetInt32(), 55_000, 70_000);
    }

    [Theory]
    [InlineData("--peers must be", "--peers", "0")]
    [InlineData("--runs must be", "--runs", "x")]
    [InlineData("unknown option '--frobnicate'", "--frobnicate")]
    public async Task Bad_arguments_are_refused(string said, params string[] args)
    {
        var run = await CliRun.RunAsync(["bench", "config", .. args]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"bench config: {said}", run.Stderr, StringComparison.Ordinal);
    }
}
