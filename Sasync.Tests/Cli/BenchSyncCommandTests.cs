using System.Text.Json;

namespace Sasync.Tests.Cli;

public sealed class BenchSyncCommandTests
{
    [Fact]
    public async Task Json_output_has_every_figure_and_each_is_positive()
    {
        var run = await CliRun.RunAsync("bench", "sync", "--sas", "50", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(50, root.GetProperty("sas").GetInt32());
        foreach (var key in new[] { "snapshotSeconds", "relayPerSecond", "failoverMilliseconds", "rssMegabytes" })
        {
            Assert.True(root.GetProperty(key).GetDouble() > 0, key);
        }

        // The undemote follows the ENDSNAP it reacts to; both times come from the engine's clock.
        Assert.True(root.GetProperty("undemoteAfterEndSnapshotMilliseconds").GetDouble() >= 0);
        // Measured against the benchmark's own poll of the kernel, so it may be slightly negative, never missing.
        Assert.True(double.IsFinite(root.GetProperty("undemoteMilliseconds").GetDouble()));
    }

    [Fact]
    public async Task Bad_sas_count_is_refused()
    {
        var run = await CliRun.RunAsync("bench", "sync", "--sas", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("sasyncd-cs bench sync: --sas must be 1..1000000, not '0'\n", run.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
