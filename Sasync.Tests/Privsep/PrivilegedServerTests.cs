using System.Text.Json;
using Sasync.Core.Control;
using Sasync.Core.Platform;
using Sasync.Core.Privsep;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;
using Sasync.Tests.Support;

namespace Sasync.Tests.Privsep;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivilegedServerTests
{
    [Fact]
    public async Task A_dump_arrives_whole_and_the_privileged_copy_is_zeroed()
    {
        await using var channel = new PrivsepChannel(new RecordingOperations());
        var dump = await KernelDumpChunks.ToWholeAsync(channel.Client.DumpKernelAsync(CancellationToken.None));
        Assert.Equal([1, 2, 3, 4, 5], dump.Sadb.ToArray());
        Assert.Equal([9, 8, 7], dump.Spd.ToArray());
        var (sadb, spd) = channel.Operations.LastDump!.Value;
        Assert.All(sadb, b => Assert.Equal(0, b));
        Assert.All(spd, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task A_big_dump_is_streamed_in_chunks_never_more_than_the_window_ahead_of_the_reader()
    {
        var operations = new RecordingOperations { BigDumpChunks = 40 };
        await using var channel = new PrivsepChannel(operations);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = 0;
        await foreach (var chunk in channel.Client.DumpKernelAsync(patience.Token))
        {
            using (chunk)
            {
                Assert.Equal(KernelDumpTable.Sadb, chunk.Table);
                Assert.Equal(1000, chunk.Records.Length);
                Assert.All(chunk.Records.ToArray(), b => Assert.Equal((byte)read, b));
                read++;
                await Task.Delay(2, patience.Token); // a slow reader: the privileged side waits for its credits
            }
        }

        Assert.Equal(40, read);
        Assert.Equal(40, operations.DumpBuffers.Rented);
        Assert.Equal(0, operations.DumpBuffers.Outstanding);
        Assert.InRange(operations.DumpBuffers.PeakOutstanding, 1, 1); // each is released once written
    }

    [Fact]
    public async Task A_dump_failing_midway_fails_the_reader_after_the_chunks_before_it_and_the_channel_serves_on()
    {
        var operations = new RecordingOperations(null, DaemonKind.Isakmpd) { BigDumpChunks = 10, FailAfterChunks = 6 };
        await using var channel = new PrivsepChannel(operations);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = 0;
        var failure = await Assert.ThrowsAsync<PrivsepException>(async () =>
        {
            await foreach (var chunk in channel.Client.DumpKernelAsync(patience.Token))
            {
                chunk.Dispose();
                read++;
            }
        });
        Assert.Equal(6, read);
        Assert.Contains("midway", failure.Message, StringComparison.Ordinal);
        await channel.Client.SetDaemonActiveAsync(DaemonKind.Isakmpd, active: true, patience.Token);
    }

    [Fact]
    public async Task An_ike_daemon_switch_and_a_demotion_are_served_while_a_dump_is_still_being_made()
    {
        var operations = new RecordingOperations(null, DaemonKind.Isakmpd) { HoldDumps = new TaskCompletionSource() };
        await using var channel = new PrivsepChannel(operations);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var dump = KernelDumpChunks.ToWholeAsync(channel.Client.DumpKernelAsync(patience.Token)).AsTask();
        await Eventually.TrueAsync(() => Task.FromResult(operations.Calls.Contains("dump")), "the dump is under way");

        // Each of these would wait for the dump if requests were served one at a time.
        await channel.Client.SetDaemonActiveAsync(DaemonKind.Isakmpd, active: true, patience.Token);
        await channel.Client.AdjustDemotionAsync(up: true, patience.Token);
        Assert.False(dump.IsCompleted);

        operations.HoldDumps.SetResult();
        Assert.Equal([1, 2, 3, 4, 5], (await dump).Sadb.ToArray());
        Assert.Equal(["dump", "Isakmpd active", "demote"], operations.Calls);
        Assert.False(patience.IsCancellationRequested);
    }

    [Fact]
    public async Task Requests_of_one_kind_are_carried_out_in_the_order_they_were_sent()
    {
        var operations = new RecordingOperations(null, DaemonKind.Isakmpd);
        await using var channel = new PrivsepChannel(operations);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Sent back to back without waiting: served in order, so the undemote finds the demotion held.
        var calls = new List<Task>();
        for (var i = 0; i < 50; i++)
        {
            calls.Add(channel.Client.AdjustDemotionAsync(up: true, patience.Token).AsTask());
            calls.Add(channel.Client.AdjustDemotionAsync(up: false, patience.Token).AsTask());
            calls.Add(channel.Client.SetDaemonActiveAsync(DaemonKind.Isakmpd, active: i % 2 == 0, patience.Token).AsTask());
        }

        await Task.WhenAll(calls);
        Assert.Equal(0, channel.Server.HeldDemotion);
        Assert.Equal(0, channel.Server.Refused);
        var demotions = operations.Calls.Where(c => c.EndsWith("demote", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? "demote" : "undemote"), demotions);
        var switches = operations.Calls.Where(c => c.StartsWith("Isakmpd", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i % 2 == 0 ? "Isakmpd active" : "Isakmpd passive"), switches);
    }

    [Fact]
    public async Task Demotion_moves_by_one_and_is_held_at_most_once()
    {
        await using var channel = new PrivsepChannel(new RecordingOperations());
        var refused = await Assert.ThrowsAsync<PrivsepException>(() => channel.Client.AdjustDemotionAsync(up: false, CancellationToken.None).AsTask());
        Assert.Contains("no demotion held", refused.Message, StringComparison.Ordinal);

        await channel.Client.AdjustDemotionAsync(up: true, CancellationToken.None);
        Assert.Equal(1, channel.Server.HeldDemotion);
        var twice = await Assert.ThrowsAsync<PrivsepException>(() => channel.Client.AdjustDemotionAsync(up: true, CancellationToken.None).AsTask());
        Assert.Contains("already holding 1", twice.Message, StringComparison.Ordinal);
        Assert.Equal(1, await channel.Client.ReadDemotionAsync(CancellationToken.None));

        await channel.Client.AdjustDemotionAsync(up: false, CancellationToken.None);
        Assert.Equal(0, channel.Server.HeldDemotion);
        Assert.Equal(["demote", "read demotion", "undemote"], channel.Operations.Calls);
        Assert.Equal(2, channel.Server.Refused);
    }

    [Fact]
    public async Task Only_the_configured_daemons_are_switched()
    {
        await using var channel = new PrivsepChannel(new RecordingOperations(null, DaemonKind.Isakmpd));
        await channel.Client.SetDaemonActiveAsync(DaemonKind.Isakmpd, active: true, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<PrivsepException>(() => channel.Client.SetDaemonActiveAsync(DaemonKind.Iked, active: true, CancellationToken.None).AsTask());
        Assert.Contains("Iked is not a daemon this configuration controls", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["Isakmpd active"], channel.Operations.Calls);
    }

    [Fact]
    public async Task The_configuration_comes_as_the_file_holds_it()
    {
        var operations = new RecordingOperations();
        await using var channel = new PrivsepChannel(operations);
        var text = await channel.Client.ReadConfigAsync(CancellationToken.None);
        Assert.Equal(operations.ConfigText, text.ToArray());
    }

    [Fact]
    public async Task Simulation_commands_need_the_simulated_platform_and_a_sim_command()
    {
        await using (var real = new PrivsepChannel(new RecordingOperations()))
        {
            var refused = await Assert.ThrowsAsync<PrivsepException>(() => real.Client.SimulateAsync("""{"command":"sim.dump"}"""u8.ToArray(), CancellationToken.None).AsTask());
            Assert.Contains("need the simulated platform", refused.Message, StringComparison.Ordinal);
        }

        var host = new SimulatedNode();
        host.CarpGroup.Set("carp", 3);
        await using var simulated = new PrivsepChannel(new RecordingOperations(new SimulationControlHandlerFor(host)));
        var dump = await simulated.Client.SimulateAsync("""{"command":"sim.dump"}"""u8.ToArray(), CancellationToken.None);
        Assert.Equal(3, JsonDocument.Parse(dump).RootElement.GetProperty("demoteCounter").GetInt32());
        var status = await Assert.ThrowsAsync<PrivsepException>(() => simulated.Client.SimulateAsync("""{"command":"status"}"""u8.ToArray(), CancellationToken.None).AsTask());
        Assert.Contains("\"status\" is not a simulation command", status.Message, StringComparison.Ordinal);
        var broken = await Assert.ThrowsAsync<PrivsepException>(() => simulated.Client.SimulateAsync("{"u8.ToArray(), CancellationToken.None).AsTask());
        Assert.Contains("not JSON", broken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_carp_link_state_and_its_changes_reach_the_network_side()
    {
        var operations = new RecordingOperations();
        operations.SimulatedCarp.Set(CarpState.Master);
        await using var channel = new PrivsepChannel(operations);
        Assert.Equal(LinkState.Up, await channel.Client.FirstCarpStateAsync(CancellationToken.None));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var changes = channel.Client.CarpChangesAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        operations.SimulatedCarp.Set(CarpState.Backup);
        Assert.True(await changes.MoveNextAsync());
        Assert.Equal(LinkState.Down, changes.Current);
        await changes.DisposeAsync();
    }

    [Fact]
    public async Task The_client_sees_the_privileged_end_close_and_calls_then_fail()
    {
        var (parent, child) = Sasync.Platform.OpenBSD.Privsep.SocketPair.Create();
        await using var client = new PrivsepClient(new System.Net.Sockets.NetworkStream(child, ownsSocket: true));
        client.Start();
        var pending = client.ReadDemotionAsync(CancellationToken.None).AsTask();
        parent.Dispose();
        var reason = await client.Closed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(string.IsNullOrEmpty(reason)); // a reset when our request was still unread, else the end of the stream
        await Assert.ThrowsAnyAsync<IOException>(() => pending);
        await Assert.ThrowsAnyAsync<IOException>(() => client.ReadDemotionAsync(CancellationToken.None).AsTask());
    }

    /// <summary>The simulated platform's own control handler, as the privileged daemon uses it.</summary>
    private sealed class SimulationControlHandlerFor(SimulatedNode host) : IControlHandler
    {
        private readonly Core.Hosting.SimulationControlHandler _inner = new(host, 1);

        public ValueTask<ControlReply> HandleAsync(ControlRequest request, CancellationToken cancellationToken) => _inner.HandleAsync(request, cancellationToken);
    }
}
