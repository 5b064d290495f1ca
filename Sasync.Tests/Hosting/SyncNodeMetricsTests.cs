using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Hosting;
using Sasync.Core;
using Sasync.Core.Hosting;
using Sasync.Core.PfKey;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;
using Sasync.Core.Wire;
using Sasync.Tests.Support;

namespace Sasync.Tests.Hosting;

/// <summary>The <c>Sasync</c> meter reports the figures of <c>status --json</c>.</summary>
public sealed class SyncNodeMetricsTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static NodeStatus Status(long seen, params PeerStatus[] peers) => new(
        new EngineStatus(
            RunState.Slave,
            false,
            new DemotionStatus(true, null, null),
            Start,
            [.. peers],
            new EngineCounters(seen, 7, ImmutableDictionary<FilterReason, long>.Empty.Add(FilterReason.NeverSyncedType, 3), 1, 2, 11, 4, 5, 6, ImmutableDictionary<FrameError, long>.Empty)),
        RefusedConnections: 8,
        SlowPeerDrops: 9,
        FramesUnsendable: 10);

    private static PeerStatus Peer(string name, bool connected, long sent, long received, bool sending = false) =>
        new(name, connected, PeerDirection.Outbound, Start, RunState.Master, sent, received, 12, Start, 13, Start, null, sending, DigestsSent: 14, DigestsReceived: 15, SnapshotsSkippedByDigest: 16, DigestMismatches: 17);

    [Fact]
    public void Every_figure_of_the_status_is_an_instrument_with_its_value_and_peers_are_tagged()
    {
        var status = Status(42, Peer("192.0.2.2", connected: true, 100, 200, sending: true), Peer("192.0.2.3", connected: false, 1, 2));
        using var metrics = new SyncNodeMetrics(_ => Task.FromResult(status));
        Assert.Equal("Sasync", metrics.Meter.Name);
        var read = MeterReadings.Collect(metrics.Meter);

        Assert.Equal(42, read.Value("sasync.kernel.messages.seen"));
        Assert.Equal(7, read.Value("sasync.messages.relayed"));
        Assert.Equal(3, read.Value("sasync.messages.filtered", "reason", "neverSyncedType"));
        Assert.Equal(1, read.Value("sasync.kernel.messages.malformed"));
        Assert.Equal(2, read.Value("sasync.frames.rejected"));
        Assert.Equal(11, read.Value("sasync.kernel.writes"));
        Assert.Equal(4, read.Value("sasync.kernel.write_errors"));
        Assert.Equal(5, read.Value("sasync.kernel.dump_errors"));
        Assert.Equal(6, read.Value("sasync.daemon_control.errors"));
        Assert.Equal(8, read.Value("sasync.connections.refused"));
        Assert.Equal(9, read.Value("sasync.peers.slow_drops"));
        Assert.Equal(10, read.Value("sasync.frames.unsendable"));
        Assert.Equal(1, read.Value("sasync.run_state", "state", "SLAVE"));
        Assert.Equal(1, read.Value("sasync.demoted"));
        Assert.Equal(1, read.Value("sasync.peers.connected"));
        Assert.Equal(100, read.Value("sasync.peer.frames.sent", "peer", "192.0.2.2"));
        Assert.Equal(1, read.Value("sasync.peer.frames.sent", "peer", "192.0.2.3"));
        Assert.Equal(200, read.Value("sasync.peer.frames.received", "peer", "192.0.2.2"));
        Assert.Equal(12, read.Value("sasync.peer.snapshots.sent", "peer", "192.0.2.3"));
        Assert.Equal(13, read.Value("sasync.peer.snapshots.received", "peer", "192.0.2.2"));
        Assert.Equal(1, read.Value("sasync.peer.connected", "peer", "192.0.2.2"));
        Assert.Equal(0, read.Value("sasync.peer.connected", "peer", "192.0.2.3"));
        Assert.Equal(1, read.Value("sasync.peer.sending_snapshot", "peer", "192.0.2.2"));
        Assert.Equal(0, read.Value("sasync.peer.sending_snapshot", "peer", "192.0.2.3"));
        Assert.Equal(14, read.Value("sasync.peer.digests.sent", "peer", "192.0.2.2"));
        Assert.Equal(15, read.Value("sasync.peer.digests.received", "peer", "192.0.2.3"));
        Assert.Equal(16, read.Value("sasync.peer.snapshots.skipped_by_digest", "peer", "192.0.2.2"));
        Assert.Equal(17, read.Value("sasync.peer.digests.mismatched", "peer", "192.0.2.3"));
        Assert.Equal(25, read.Instruments.Count);
    }

    [Fact]
    public void A_node_that_stops_answering_reports_its_last_status_and_a_disposed_meter_reports_nothing()
    {
        var answers = 0;
        using var metrics = new SyncNodeMetrics(_ => Interlocked.Increment(ref answers) == 1
            ? Task.FromResult(Status(5))
            : Task.FromException<NodeStatus>(new InvalidOperationException("the node is not running")));
        Assert.Equal(5, MeterReadings.Collect(metrics.Meter).Value("sasync.kernel.messages.seen"));
        Assert.Equal(5, MeterReadings.Collect(metrics.Meter).Value("sasync.kernel.messages.seen"));

        using var never = new SyncNodeMetrics(_ => Task.FromException<NodeStatus>(new InvalidOperationException("not yet")));
        Assert.Equal(0, MeterReadings.Collect(never.Meter).Count("sasync.kernel.messages.seen"));

        metrics.Dispose();
        Assert.Empty(MeterReadings.Collect(metrics.Meter).Instruments);
    }

    [Fact]
    public void A_node_too_busy_to_answer_is_asked_once_per_collection_until_it_answers()
    {
        var calls = 0;
        var busy = new TaskCompletionSource<NodeStatus>();
        using var metrics = new SyncNodeMetrics(_ => Interlocked.Increment(ref calls) == 1 ? busy.Task : Task.FromResult(Status(9)));

        var stalled = MeterReadings.Collect(metrics.Meter);
        Assert.Equal(1, calls);
        Assert.Equal(0, stalled.Count("sasync.kernel.messages.seen"));

        busy.SetResult(Status(3));
        var answered = MeterReadings.Collect(metrics.Meter);
        Assert.Equal(9, answered.Value("sasync.kernel.messages.seen"));
        Assert.True(calls > 2);
    }

    [Fact]
    public void A_node_too_busy_for_the_meter_is_reported_with_the_status_someone_else_took_last()
    {
        var busy = new TaskCompletionSource<NodeStatus>();
        using var metrics = new SyncNodeMetrics(_ => busy.Task);
        metrics.Remember(Status(4));

        var stalled = MeterReadings.Collect(metrics.Meter);

        Assert.Equal(4, stalled.Value("sasync.kernel.messages.seen"));
        busy.SetResult(Status(6));
        Assert.Equal(6, MeterReadings.Collect(metrics.Meter).Value("sasync.kernel.messages.seen"));
    }

    [Fact]
    public async Task A_running_node_reports_its_own_numbers_on_the_meter()
    {
        using var host = EmbeddedHost.Build(node => node.Settings = EmbeddedHost.Settings($"interface carp0\npeer 127.0.0.2\nsharedkey {EmbeddedHost.Key}\n"));
        await host.StartAsync();
        var node = host.Node();
        var simulated = host.Simulated();
        var pid = (uint)Environment.ProcessId;
        await Eventually.TrueAsync(() => simulated.Kernel.Clients.Any(c => c.Pid == pid && c.IsPromiscuous), "the MASTER reads its kernel promiscuously");

        await using (var isakmpd = simulated.OpenKeyEngine(500))
        {
            await isakmpd.WriteAsync(IkeDaemonMessages.AddEspSa(500, 1, 0x4242, IPAddress.Parse("192.0.2.1"), IPAddress.Parse("198.51.100.7")), default);
            await isakmpd.WriteAsync(IkeDaemonMessages.AddEspSa(500, 2, 0x4243, IPAddress.Parse("192.0.2.1"), IPAddress.Parse("198.51.100.7")), default);
        }

        await Eventually.TrueAsync(async () => (await node.GetStatusAsync(default)).Engine.Counters.KernelMessagesSeen >= 2, "the node saw both SAs");
        var status = await node.GetStatusAsync(default);
        var read = MeterReadings.Collect(node.Metrics!.Meter);
        Assert.Equal(status.Engine.Counters.KernelMessagesSeen, read.Value("sasync.kernel.messages.seen"));
        Assert.Equal(status.Engine.Counters.MessagesRelayed, read.Value("sasync.messages.relayed"));
        Assert.Equal((long)RunState.Master, read.Value("sasync.run_state", "state", "MASTER"));
        Assert.Equal(0, read.Value("sasync.demoted"));
        Assert.Equal(0, read.Value("sasync.peers.connected"));
        Assert.Equal(0, read.Value("sasync.peer.connected", "peer", "127.0.0.2"));

        var meter = node.Metrics.Meter;
        await host.StopAsync();
        Assert.Null(node.Metrics);
        Assert.Empty(MeterReadings.Collect(meter).Instruments);
    }
}
