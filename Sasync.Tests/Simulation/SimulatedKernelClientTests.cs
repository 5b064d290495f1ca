using Sasync.Core.PfKey;
using Sasync.Core.Simulation;
using static Sasync.Tests.Simulation.KernelTestMessages;
using Sasync.Core.Platform;

namespace Sasync.Tests.Simulation;

public sealed class SimulatedKernelClientTests
{
    private const uint Daemon = 1000;
    private const uint Ike = 2000;
    private const uint Other = 3000;

    [Fact]
    public async Task A_write_is_copied_wrapped_to_every_promiscuous_socket_then_answered_to_all()
    {
        var kernel = new SimulatedKernel();
        await using var sasyncd = kernel.OpenClient(Daemon);
        await using var isakmpd = kernel.OpenClient(Ike);
        await using var quiet = kernel.OpenClient(Other);
        await sasyncd.SetPromiscuousAsync(true, default);
        await isakmpd.SetPromiscuousAsync(true, default);
        Drain(sasyncd);
        Drain(isakmpd);
        Drain(quiet);
        var add = Add(Ike, 0x4444).Build();

        await isakmpd.WriteAsync(add, default);

        foreach (var promiscuous in new[] { sasyncd, isakmpd })
        {
            var received = Drain(promiscuous);
            Assert.Equal(2, received.Count);
            var wrapper = SadbHeader.Read(received[0].Span);
            Assert.Equal(
                (SadbHeader.Version2, SadbMessageType.XPromisc, (byte)0, SadbSaType.Unspec, (ushort)((16 + add.Length) / 8), Ike, 0u),
                (wrapper.Version, wrapper.Type, wrapper.Errno, wrapper.SaType, wrapper.Length, wrapper.Sequence, wrapper.Pid));
            Assert.Equal(add, received[0][16..].ToArray());
            Assert.Equal((SadbMessageType.Add, Ike), (Parse(received[1]).Type, Parse(received[1]).Header.Pid));
        }

        var reply = Parse(Assert.Single(Drain(quiet)));
        Assert.Equal((SadbMessageType.Add, (byte)0), (reply.Type, reply.Header.Errno));
    }

    [Fact]
    public async Task A_command_that_fails_after_the_checks_is_still_copied_to_promiscuous_sockets()
    {
        var kernel = new SimulatedKernel();
        await using var sasyncd = kernel.OpenClient(Daemon);
        await using var isakmpd = kernel.OpenClient(Ike);
        await sasyncd.SetPromiscuousAsync(true, default);
        Drain(sasyncd);

        await isakmpd.WriteAsync(Delete(Ike, 0x9999).Build(), default);

        var received = Drain(sasyncd);
        Assert.Equal(2, received.Count);
        Assert.Equal(SadbMessageType.XPromisc, SadbHeader.Read(received[0].Span).Type);
        Assert.Equal(SadbMessageType.Delete, SadbHeader.Read(received[0].Span[16..]).Type);
        Assert.Equal(Core.Platform.OpenBsdErrno.ESRCH, Parse(received[1]).Header.Errno);
    }

    [Fact]
    public async Task Promiscuous_mode_is_switched_by_SADB_X_PROMISC_and_its_answer_goes_to_everyone()
    {
        var kernel = new SimulatedKernel();
        await using var sasyncd = kernel.OpenClient(Daemon);
        await using var isakmpd = kernel.OpenClient(Ike);

        await sasyncd.SetPromiscuousAsync(true, default);

        Assert.True(sasyncd.IsPromiscuous);
        var answer = SadbHeader.Read(Assert.Single(Drain(isakmpd)).Span);
        Assert.Equal((SadbMessageType.XPromisc, SadbSaType.Ah, (ushort)2, Daemon), (answer.Type, answer.SaType, answer.Length, answer.Pid));
        // The copy is made before the command runs, when the socket was not promiscuous yet: only the answer.
        Assert.Equal((ushort)2, SadbHeader.Read(Assert.Single(Drain(sasyncd)).Span).Length);

        await sasyncd.SetPromiscuousAsync(false, default);

        // Switching off is still copied (wrapped, 4 units), then answered (2 units).
        Assert.Equal([(ushort)4, (ushort)2], Drain(sasyncd).Select(m => SadbHeader.Read(m.Span).Length));
        await isakmpd.WriteAsync(Add(Ike, 0x5555).Build(), default);

        Assert.False(sasyncd.IsPromiscuous);
        Assert.Equal(SadbMessageType.Add, SadbHeader.Read(Assert.Single(Drain(sasyncd)).Span).Type);
    }

    [Fact]
    public async Task Sockets_in_another_routing_domain_hear_nothing()
    {
        var kernel = new SimulatedKernel(new SimulatedKernelOptions { RoutingTables = [0, 1] });
        await using var isakmpd = kernel.OpenClient(Ike);
        await using var elsewhere = kernel.OpenClient(Other, routingDomain: 1);
        await elsewhere.SetPromiscuousAsync(true, default);
        Drain(elsewhere);

        await isakmpd.WriteAsync(Add(Ike, 0x1234).Build(), default);

        Assert.Empty(Drain(elsewhere));
        Assert.Empty((await KernelDumpChunks.ToWholeAsync(elsewhere.DumpAsync(default))).Sadb.ToArray());
        Assert.NotEmpty((await KernelDumpChunks.ToWholeAsync(isakmpd.DumpAsync(default))).Sadb.ToArray());
    }

    [Fact]
    public async Task A_full_queue_drops_new_messages_for_that_socket_only_and_counts_them()
    {
        var kernel = new SimulatedKernel(new SimulatedKernelOptions { ClientQueueCapacity = 2 });
        await using var slow = kernel.OpenClient(Other);
        await using var isakmpd = kernel.OpenClient(Ike);

        for (uint spi = 0x1000; spi < 0x1005; spi++)
        {
            await isakmpd.WriteAsync(Add(Ike, spi).Build(), default);
            Drain(isakmpd);
        }

        Assert.Equal(3, slow.DroppedMessages);
        Assert.Equal(0, isakmpd.DroppedMessages);
        var kept = Drain(slow).Select(m => ReadSa(Parse(m)).Spi);
        Assert.Equal([0x1000u, 0x1001u], kept);
        Assert.Equal(5, kernel.Sas.Count);
    }

    [Fact]
    public async Task Reading_waits_for_messages_and_ends_when_the_socket_is_closed()
    {
        var kernel = new SimulatedKernel();
        var sasyncd = kernel.OpenClient(Daemon);
        await using var isakmpd = kernel.OpenClient(Ike);
        var reader = Task.Run(async () =>
        {
            var types = new List<SadbMessageType>();
            await foreach (var message in sasyncd.ReadAllAsync(default))
            {
                types.Add(SadbHeader.Read(message.Span).Type);
            }

            return types;
        });

        await isakmpd.WriteAsync(Add(Ike, 0x1234).Build(), default);
        await isakmpd.WriteAsync(Delete(Ike, 0x1234).Build(), default);
        await sasyncd.DisposeAsync();

        Assert.Equal([SadbMessageType.Add, SadbMessageType.Delete], await reader);
        Assert.Single(kernel.Clients);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await sasyncd.WriteAsync(Add(Daemon, 1).Build(), default));
    }

    [Fact]
    public async Task Concurrent_writers_each_see_every_reply_exactly_once()
    {
        var kernel = new SimulatedKernel();
        var clients = Enumerable.Range(0, 4).Select(i => kernel.OpenClient((uint)(100 + i))).ToList();

        await Task.WhenAll(clients.Select((client, i) => Task.Run(async () =>
        {
            for (var n = 0; n < 50; n++)
            {
                await client.WriteAsync(Add(client.Pid, (uint)(0x10000 + (i * 1000) + n)).Build(), default);
            }
        })));

        Assert.Equal(200, kernel.Sas.Count);
        foreach (var client in clients)
        {
            Assert.Equal(200, Drain(client).Count);
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_batch_read_takes_the_queued_messages_in_order_as_far_as_they_fit_and_leaves_the_rest()
    {
        var kernel = new SimulatedKernel();
        await using var sasyncd = kernel.OpenClient(Daemon);
        await using var isakmpd = kernel.OpenClient(Ike);
        for (var n = 0u; n < 10; n++)
        {
            await isakmpd.WriteAsync(Add(Ike, 0x5000 + n).Build(), default);
        }

        var batch = new KernelMessageBatch(maxBytes: 64 * 1024, maxMessages: 4);
        var spis = new List<uint>();
        while (spis.Count < 10)
        {
            Assert.True(await sasyncd.ReadBatchAsync(batch, default));
            Assert.InRange(batch.Count, 1, 4);
            spis.AddRange(batch.Messages.Select(m => ReadSa(Parse(m)).Spi));
        }

        Assert.Equal(Enumerable.Range(0x5000, 10).Select(i => (uint)i), spis);
        Assert.Empty(Drain(sasyncd));
        await sasyncd.DisposeAsync();
        Assert.False(await sasyncd.ReadBatchAsync(batch, default));
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public async Task A_reader_waiting_on_a_promiscuous_socket_is_woken_once_a_write_delivered_its_copy_and_its_reply()
    {
        var kernel = new SimulatedKernel();
        await using var sasyncd = kernel.OpenClient(Daemon);
        await using var isakmpd = kernel.OpenClient(Ike);
        await sasyncd.SetPromiscuousAsync(true, default);
        Drain(sasyncd);
        var batch = new KernelMessageBatch();
        for (var n = 0u; n < 50; n++)
        {
            // The read waits before the write starts; the write wakes it after both messages are queued, never between.
            var reading = sasyncd.ReadBatchAsync(batch, default);
            Assert.False(reading.IsCompleted);
            await isakmpd.WriteAsync(Add(Ike, 0x6000 + n).Build(), default);

            Assert.True(await reading);
            Assert.Equal(2, batch.Count);
            Assert.Equal(SadbMessageType.XPromisc, SadbHeader.Read(batch.Messages[0].Span).Type);
            Assert.Equal((SadbMessageType.Add, 0x6000 + n), (Parse(batch.Messages[1]).Type, ReadSa(Parse(batch.Messages[1])).Spi));
        }
    }

    [Fact]
    public async Task In_a_write_run_a_waiting_reader_is_woken_once_at_its_end_and_reads_the_whole_run_in_one_batch()
    {
        var kernel = new SimulatedKernel();
        await using var sasyncd = kernel.OpenClient(Daemon);
        await using var isakmpd = kernel.OpenClient(Ike);
        var batch = new KernelMessageBatch();
        var reading = isakmpd.ReadBatchAsync(batch, default);
        Assert.False(reading.IsCompleted);

        sasyncd.BeginWriteRun();
        sasyncd.BeginWriteRun(); // nested: only the outer end wakes
        for (var n = 0u; n < 20; n++)
        {
            await sasyncd.WriteAsync(Add(Daemon, 0x7000 + n).Build(), default);
        }

        sasyncd.EndWriteRun();
        Assert.False(reading.IsCompleted); // queued, not woken
        Assert.Equal(20, kernel.SaCount);
        sasyncd.EndWriteRun();

        Assert.True(await reading);
        Assert.Equal(Enumerable.Range(0x7000, 20).Select(i => (uint)i), batch.Messages.Select(m => ReadSa(Parse(m)).Spi));
        Assert.Throws<InvalidOperationException>(sasyncd.EndWriteRun);

        // Out of a run, each write wakes its reader again.
        reading = isakmpd.ReadBatchAsync(batch, default);
        await sasyncd.WriteAsync(Add(Daemon, 0x8000).Build(), default);
        Assert.True(await reading);
        Assert.Equal(0x8000u, ReadSa(Parse(Assert.Single(batch.Messages))).Spi);
    }

    [Fact]
    public async Task Write_runs_counted_beside_the_lock_lose_no_wake_up_when_they_race_writes_from_another_thread()
    {
        // Each round a run of 0-2 writes (an empty one too: a batch of control frames) races one write outside it on
        // another thread; the reader must be woken for every reply of the round, or the round never ends.
        var kernel = new SimulatedKernel();
        await using var sasyncd = kernel.OpenClient(Daemon);
        await using var isakmpd = kernel.OpenClient(Ike);
        await using var reader = kernel.OpenClient(Other);
        var batch = new KernelMessageBatch();
        var spi = 0x10000u;
        var written = 0;
        for (var round = 0; round < 2000; round++)
        {
            var inRun = round % 3;
            var runSpi = spi;
            var otherSpi = spi + 2;
            spi += 3;
            // The reader waits before the writes start, so that only a wake-up ends its wait.
            batch.Clear();
            var reading = reader.ReadBatchAsync(batch, default);
            Assert.False(reading.IsCompleted);
            using var start = new Barrier(2);
            var run = Task.Run(async () =>
            {
                start.SignalAndWait();
                sasyncd.BeginWriteRun();
                for (var n = 0u; n < inRun; n++)
                {
                    await sasyncd.WriteAsync(Add(Daemon, runSpi + n).Build(), default);
                }

                sasyncd.EndWriteRun();
            });
            var other = Task.Run(async () =>
            {
                start.SignalAndWait();
                await isakmpd.WriteAsync(Add(Ike, otherSpi).Build(), default);
            });
            await Task.WhenAll(run, other).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.True(await reading.AsTask().WaitAsync(TimeSpan.FromSeconds(30)), $"round {round}: the reader was not woken");
            var received = batch.Count;
            while (received < inRun + 1)
            {
                batch.Clear();
                Assert.True(await reader.ReadBatchAsync(batch, default).AsTask().WaitAsync(TimeSpan.FromSeconds(30)), $"round {round}: the reader was not woken");
                received += batch.Count;
            }

            Assert.Equal(inRun + 1, received);
            written += inRun + 1;
        }

        Assert.Equal(written, kernel.SaCount);
    }
}
