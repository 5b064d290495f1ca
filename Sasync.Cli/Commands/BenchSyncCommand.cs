using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core.Loopback;

namespace Sasync.Cli.Commands;

/// <summary><c>bench sync [--sas N] [--nodes N] [--json]</c>: see <see cref="SyncBenchmark"/>.</summary>
internal static class BenchSyncCommand
{
    public static Command Create(CliConsole console)
    {
        var sas = IntOption.InRange("--sas", 100_000, 1, 1_000_000, "SAs and flows to sync");
        var nodes = IntOption.InRange("--nodes", 2, 2, SyncBenchmark.MaxNodes, "Nodes in the cluster: a MASTER and the rest backups");
        var json = new Option<bool>("--json") { Arity = ArgumentArity.Zero, Description = "Print the figures as JSON" };
        var command = new Command("sync", "Nodes over loopback: snapshot, relay, failover and undemote figures") { sas, nodes, json };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(sas), parse.GetValue(nodes), parse.GetValue(json), console.Out, console.Error, cancellationToken));
        return command;
    }

    // SASYNC_BENCH_PERF_CTL=FIFO: `perf record --control fifo:FIFO -D -1` records the measured relay phase alone
    // (SASYNC_BENCH_PERF_PHASE=snapshot: the snapshot phase instead).
    private static Action<string>? PerfControl()
    {
        var fifo = Environment.GetEnvironmentVariable("SASYNC_BENCH_PERF_CTL");
        if (string.IsNullOrEmpty(fifo))
        {
            return null;
        }

        var recorded = Environment.GetEnvironmentVariable("SASYNC_BENCH_PERF_PHASE") is { Length: > 0 } chosen ? chosen : "relay";
        return phase =>
        {
            if (phase == recorded || phase == recorded + "-end")
            {
                File.AppendAllText(fifo, phase == recorded ? "enable\n" : "disable\n");
            }
        };
    }

    private static async Task<int> RunAsync(int sas, int nodes, bool json, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var (result, error) = await SyncBenchmark.RunAsync(sas, nodes, TimeSpan.FromSeconds(120), NullLoggerFactory.Instance, cancellationToken, PerfControl()).ConfigureAwait(false);
        if (result is null)
        {
            await stderr.WriteAsync($"bench sync: {error}\n").ConfigureAwait(false);
            return 1;
        }

        if (json)
        {
            await JsonOutput.WriteAsync(stdout, w =>
            {
                w.WriteStartObject();
                w.WriteNumber("sas", result.Sas);
                w.WriteNumber("snapshotSeconds", Math.Round(result.SnapshotSeconds, 4));
                w.WriteNumber("snapshotSasSeconds", Math.Round(result.SnapshotSasSeconds, 4));
                w.WriteNumber("relayPerSecond", Math.Round(result.RelayPerSecond));
                w.WriteNumber("relaySeconds", Math.Round(result.RelaySeconds, 4));
                w.WriteNumber("injectSeconds", Math.Round(result.InjectSeconds, 4));
                w.WriteNumber("failoverMilliseconds", Math.Round(result.FailoverMilliseconds, 3));
                w.WriteNumber("failoverMaxMilliseconds", Math.Round(result.FailoverMaxMilliseconds, 3));
                w.WriteNumber("undemoteMilliseconds", Math.Round(result.UndemoteMilliseconds, 3));
                w.WriteNumber("undemoteAfterEndSnapshotMilliseconds", Math.Round(result.UndemoteAfterEndSnapshotMilliseconds, 3));
                w.WriteNumber("rssMegabytes", Math.Round(result.RssMegabytes, 1));
                w.WriteNumber("rssAfterMegabytes", Math.Round(result.RssAfterMegabytes, 1));
                w.WriteNumber("nodes", result.Nodes);
                w.WriteNumber("peakRssMegabytes", Math.Round(result.PeakRssMegabytes, 1));
                w.WriteNumber("wholeRunPeakRssMegabytes", Math.Round(result.WholeRunPeakRssMegabytes, 1));
                w.WriteNumber("daemonBytesPerRelayedMessage", Math.Round(result.Relay.DaemonBytesPerMessage, 1));
                w.WriteNumber("daemonBytesPerSnapshotMessage", Math.Round(result.Snapshot.DaemonBytesPerMessage, 1));
                WriteCost(w, "relayCost", result.Relay);
                WriteCost(w, "snapshotCost", result.Snapshot);
                if (result.FailoverResync is { } resync)
                {
                    w.WriteNumber("failoverSnapshotMessages", resync.SnapshotMessages);
                    w.WriteNumber("failoverResyncMilliseconds", Math.Round(resync.Milliseconds, 3));
                }

                if (result.FailoverUnderSnapshot is { } loaded)
                {
                    w.WriteNumber("failoverUnderSnapshotSamples", loaded.Samples);
                    w.WriteNumber("failoverUnderSnapshotRoundSeconds", Math.Round(loaded.RoundSeconds, 4));
                    w.WriteNumber("failoverUnderSnapshotRoundCpuSeconds", Math.Round(loaded.RoundCpuSeconds, 4));
                    if (loaded.Samples > 0)
                    {
                        w.WriteNumber("failoverUnderSnapshotP50Milliseconds", Math.Round(loaded.P50Milliseconds, 3));
                        w.WriteNumber("failoverUnderSnapshotP99Milliseconds", Math.Round(loaded.P99Milliseconds, 3));
                        w.WriteNumber("failoverUnderSnapshotMaxMilliseconds", Math.Round(loaded.MaxMilliseconds, 3));
                        w.WriteNumber("failoverUnderSnapshotSlowestGcPauseMilliseconds", Math.Round(loaded.SlowestGcPauseMilliseconds, 3));
                    }
                }
                w.WriteEndObject();
            }).ConfigureAwait(false);
            return 0;
        }

        await stdout.WriteAsync(string.Create(CultureInfo.InvariantCulture,
            $"""
            sync: {result.Nodes} nodes over loopback TCP, {result.Sas:N0} SAs + {result.Sas:N0} flows, simulated kernels
              snapshot   {result.SnapshotSeconds,12:0.000} s       rebooted peer, start to full kernel (all SAs in after {result.SnapshotSasSeconds:0.000} s)
              relay      {result.RelayPerSecond,12:N0} msg/s   live ADDs, MASTER IKE socket to slave kernel ({result.RelaySeconds:0.000} s; writing them took {result.InjectSeconds:0.000} s)
              failover   {result.FailoverMilliseconds,12:0.000} ms      carp MASTER to IKE daemon active (median of 5, slowest {result.FailoverMaxMilliseconds:0.000} ms)
              loaded     {result.FailoverUnderSnapshot?.P99Milliseconds ?? double.NaN,12:0.000} ms      failover p99 while a full snapshot is under way (median {result.FailoverUnderSnapshot?.P50Milliseconds ?? double.NaN:0.000}, max {result.FailoverUnderSnapshot?.MaxMilliseconds ?? double.NaN:0.000} ms of which {result.FailoverUnderSnapshot?.SlowestGcPauseMilliseconds ?? double.NaN:0.000} ms GC pause, {result.FailoverUnderSnapshot?.Samples ?? 0} failovers, {result.FailoverUnderSnapshot?.RoundSeconds ?? double.NaN:0.000} s and {result.FailoverUnderSnapshot?.RoundCpuSeconds ?? double.NaN:0.000} CPU s a round)
              resync     {result.FailoverResync?.Milliseconds ?? double.NaN,12:0.000} ms      after a failover, the new MASTER's snapshot ({result.FailoverResync?.SnapshotMessages ?? 0:N0} messages at most; {result.FailoverResync?.SkippedByDigest ?? 0} of {result.FailoverResync?.Rounds ?? 0} by digest alone)
              undemote   {result.UndemoteMilliseconds,12:0.000} ms      after the snapshot was in the kernel ({result.UndemoteAfterEndSnapshotMilliseconds:0.0} ms after ENDSNAP)
              memory     {result.PeakRssMegabytes,12:0.0} MB      peak RSS of the measured cluster's run ({result.RssAfterMegabytes:0.0} MB at its end; {result.WholeRunPeakRssMegabytes:0.0} MB with the three-node rounds)
              daemon     {result.Relay.DaemonBytesPerMessage,12:0.0} B       allocated by the daemons' code per relayed message ({result.Snapshot.DaemonBytesPerMessage:0.0} B per snapshot message)
              cost       relay {Describe(result.Relay)}; snapshot {Describe(result.Snapshot)}

            """)).ConfigureAwait(false);
        return 0;
    }

    private static void WriteCost(System.Text.Json.Utf8JsonWriter w, string name, PhaseCost cost)
    {
        w.WriteStartObject(name);
        w.WriteNumber("cpuSeconds", Math.Round(cost.CpuSeconds, 3));
        w.WriteNumber("gcPauseSeconds", Math.Round(cost.GcPauseSeconds, 3));
        w.WriteNumber("allocatedMegabytes", Math.Round(cost.AllocatedMegabytes, 1));
        w.WriteNumber("messages", cost.Messages);
        w.WriteNumber("cpuSecondsPerMessage", Math.Round(cost.CpuSecondsPerMessage, 9));
        w.WriteNumber("gcPausePercent", Math.Round(cost.GcPausePercent, 1));
        w.WriteNumber("daemonBytesPerMessage", Math.Round(cost.DaemonBytesPerMessage, 1));
        w.WriteEndObject();
    }

    private static string Describe(PhaseCost cost) =>
        string.Create(CultureInfo.InvariantCulture, $"{cost.CpuSeconds:0.00} s CPU ({cost.CpuSecondsPerMessage * 1e6:0.0} µs per message), {cost.GcPauseSeconds:0.00} s GC pauses ({cost.GcPausePercent:0.0} %), {cost.AllocatedMegabytes:N0} MB allocated");
}
