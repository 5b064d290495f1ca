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
        foreach (var key in new[] { "snapshotSeconds", "relayPerSecond", "failoverMilliseconds", "failoverMaxMilliseconds", "rssMegabytes" })
        {
            Assert.True(root.GetProperty(key).GetDouble() > 0, key);
        }

        Assert.True(root.GetProperty("failoverMaxMilliseconds").GetDouble() >= root.GetProperty("failoverMilliseconds").GetDouble());
        // The undemote follows the ENDSNAP it reacts to; both times come from the engine's clock.
        Assert.True(root.GetProperty("undemoteAfterEndSnapshotMilliseconds").GetDouble() >= 0);
        // Measured against the benchmark's own poll of the kernel, so it may be slightly negative, never missing.
        Assert.True(double.IsFinite(root.GetProperty("undemoteMilliseconds").GetDouble()));
        // Failovers under a snapshot: a snapshot of 50 tunnels may end before the benchmark sees it, so maybe none.
        var samples = root.GetProperty("failoverUnderSnapshotSamples").GetInt32();
        Assert.InRange(samples, 0, 5);
        if (samples > 0)
        {
            var (p50, p99, max) = (root.GetProperty("failoverUnderSnapshotP50Milliseconds").GetDouble(), root.GetProperty("failoverUnderSnapshotP99Milliseconds").GetDouble(), root.GetProperty("failoverUnderSnapshotMaxMilliseconds").GetDouble());
            Assert.True(p50 > 0 && p50 <= p99 && p99 <= max, $"{p50} {p99} {max}");
        }
    }

    [Fact]
    public async Task Three_nodes_report_the_whole_run_s_peak_RSS_and_the_daemons_own_cost_per_message()
    {
        var run = await CliRun.RunAsync("bench", "sync", "--sas", "50", "--nodes", "3", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(3, root.GetProperty("nodes").GetInt32());
        // The peak of the whole run includes every moment the earlier figure saw.
        Assert.True(root.GetProperty("peakRssMegabytes").GetDouble() >= root.GetProperty("rssMegabytes").GetDouble());
        Assert.True(root.GetProperty("wholeRunPeakRssMegabytes").GetDouble() >= root.GetProperty("peakRssMegabytes").GetDouble());
        Assert.True(root.GetProperty("daemonBytesPerRelayedMessage").GetDouble() >= 0);
        Assert.True(root.GetProperty("daemonBytesPerSnapshotMessage").GetDouble() >= 0);
        foreach (var (phase, messages) in new[] { ("relayCost", 50), ("snapshotCost", 100) })
        {
            var cost = root.GetProperty(phase);
            Assert.Equal(messages, cost.GetProperty("messages").GetInt64());
            Assert.True(cost.GetProperty("cpuSecondsPerMessage").GetDouble() > 0, phase);
            Assert.InRange(cost.GetProperty("gcPausePercent").GetDouble(), 0, 100);
        }
    }

    [Fact]
    public async Task A_node_count_outside_2_to_8_is_refused()
    {
        var run = await CliRun.RunAsync("bench", "sync", "--nodes", "9");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("sasyncd-cs bench sync: --nodes must be 2..8, not '9'\n", run.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_sas_count_is_refused()
    {
        var run = await CliRun.RunAsync("bench", "sync", "--sas", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("sasyncd-cs bench sync: --sas must be 1..1000000, not '0'\n", run.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
