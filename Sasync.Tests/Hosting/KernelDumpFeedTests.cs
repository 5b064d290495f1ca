using System.Collections.Concurrent;
using System.Threading.Channels;
using Sasync.Core.Hosting;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;
using Sasync.Tests.Simulation;

namespace Sasync.Tests.Hosting;

/// <summary>How the host reads a dump for the engine: bounded, in order, failures reported.</summary>
public class KernelDumpFeedTests
{
    private const uint IkePid = 200;

    private static async Task<SimulatedKernel> BigKernelAsync(int sas)
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(IkePid);
        for (var spi = 0x1000u; spi < 0x1000 + sas; spi++)
        {
            await ike.WriteAsync(KernelTestMessages.Add(IkePid, spi).Build(), default);
        }

        return kernel;
    }

    [Fact]
    public async Task A_big_dump_read_for_a_slow_engine_never_has_more_than_the_window_of_chunks_out()
    {
        var kernel = await BigKernelAsync(16000);
        await using var keys = kernel.OpenClient(100);
        var posted = Channel.CreateUnbounded<object>();
        var feed = new KernelDumpFeed(new RequestKernelDump("peer-a", 1), keys, item => posted.Writer.WriteAsync(item), CancellationToken.None);
        var reading = feed.RunAsync(await feed.TakeAsync(), CancellationToken.None);

        var sadb = new List<byte>();
        KernelDumpCompleted? completed = null;
        await foreach (var item in posted.Reader.ReadAllAsync())
        {
            if (item is KernelDumpChunkRead read)
            {
                Assert.InRange(kernel.DumpBuffers.Outstanding, 1, KernelDumpFeed.Window);
                sadb.AddRange(read.Chunk.Records.ToArray());
                await Task.Delay(1); // the peer drains slowly: the feed must wait
                read.Chunk.Dispose();
                continue;
            }

            completed = Assert.IsType<KernelDumpCompleted>(item);
            break;
        }

        await reading;
        Assert.Null(completed!.Failure);
        Assert.Equal(kernel.DumpSadb(), sadb);
        Assert.True(kernel.DumpBuffers.Rented > KernelDumpFeed.Window + 2, $"only {kernel.DumpBuffers.Rented} chunks");
        Assert.InRange(kernel.DumpBuffers.PeakOutstanding, 1, KernelDumpFeed.Window);
        Assert.Equal(0, kernel.DumpBuffers.Outstanding);
    }

    [Fact]
    public async Task In_the_callers_thread_the_next_chunk_is_read_only_when_one_is_released()
    {
        var kernel = await BigKernelAsync(16000);
        await using var keys = kernel.OpenClient(100);
        var posted = new Queue<object>();
        var io = new SynchronousNodeIo(new NodePlatform(keys, new SimulatedCarp("carp0"), new SimulatedCarpGroup(), System.Collections.Immutable.ImmutableDictionary<DaemonKind, IDaemonControl>.Empty), posted.Enqueue);

        io.RequestDump(new RequestKernelDump("peer-a", 1));
        Assert.Equal(KernelDumpFeed.Window, posted.Count); // read ahead up to the window, then it waits
        var chunks = 0;
        while (posted.TryDequeue(out var item) && item is KernelDumpChunkRead read)
        {
            Assert.InRange(kernel.DumpBuffers.Outstanding, 1, KernelDumpFeed.Window);
            read.Chunk.Dispose(); // reads the next one, in this thread
            chunks++;
        }

        Assert.Equal(kernel.DumpBuffers.Rented, chunks);
        Assert.Equal(KernelDumpFeed.Window, kernel.DumpBuffers.PeakOutstanding);
        Assert.Equal(0, kernel.DumpBuffers.Outstanding);
    }

    [Fact]
    public async Task A_digest_is_made_while_reading_and_no_chunk_reaches_the_engine()
    {
        var kernel = await BusyKernel.CreateAsync(IkePid);
        await using var keys = kernel.OpenClient(100);
        var posted = new Queue<object>();
        var io = new SynchronousNodeIo(new NodePlatform(keys, new SimulatedCarp("carp0"), new SimulatedCarpGroup(), System.Collections.Immutable.ImmutableDictionary<DaemonKind, IDaemonControl>.Empty), posted.Enqueue);

        io.RequestDump(new RequestKernelDump("peer-a", 7, KernelDumpUse.Digest));

        var completed = Assert.IsType<KernelDumpCompleted>(Assert.Single(posted));
        Assert.True(Core.Sync.Digest.KernelDigest.TryCompute(kernel.DumpSadb(), kernel.DumpSpd(), null, out var expected, out _));
        Assert.Equal((7L, expected, (string?)null), (completed.RequestId, completed.Digest!.Value, completed.DigestProblem));
        Assert.Equal(0, kernel.DumpBuffers.Outstanding);
    }

    [Fact]
    public async Task A_dump_failing_midway_ends_with_the_failure_after_the_chunks_before_it()
    {
        var kernel = await BigKernelAsync(3000);
        await using var inner = kernel.OpenClient(100);
        var keys = new FailingDump(inner, failAfter: 2);
        var posted = new Queue<object>();
        var io = new SynchronousNodeIo(new NodePlatform(keys, new SimulatedCarp("carp0"), new SimulatedCarpGroup(), System.Collections.Immutable.ImmutableDictionary<DaemonKind, IDaemonControl>.Empty), posted.Enqueue);

        io.RequestDump(new RequestKernelDump("peer-a", 3));

        var items = posted.ToList();
        Assert.Equal(3, items.Count);
        Assert.All(items.Take(2), i => Assert.IsType<KernelDumpChunkRead>(i));
        var completed = Assert.IsType<KernelDumpCompleted>(items[2]);
        Assert.Equal(OpenBsdErrno.ENOMEM, completed.Failure!.Errno);
        items.OfType<KernelDumpChunkRead>().ToList().ForEach(r => r.Chunk.Dispose());
        Assert.Equal(0, kernel.DumpBuffers.Outstanding);
    }

    [Fact]
    public async Task A_snapshot_dump_abandoned_midway_reads_no_further_and_posts_no_completion()
    {
        var kernel = await BigKernelAsync(16000);
        await using var keys = kernel.OpenClient(100);
        var posted = new Queue<object>();
        var io = new SynchronousNodeIo(new NodePlatform(keys, new SimulatedCarp("carp0"), new SimulatedCarpGroup(), System.Collections.Immutable.ImmutableDictionary<DaemonKind, IDaemonControl>.Empty), posted.Enqueue);
        io.RequestDump(new RequestKernelDump("peer-a", 1));
        Assert.Equal(KernelDumpFeed.Window, posted.Count);

        io.AbandonDump(new AbandonKernelDump("peer-a", 1));
        while (posted.TryDequeue(out var item))
        {
            Assert.IsType<KernelDumpChunkRead>(item).Chunk.Dispose(); // as the engine drops its cursor
        }

        Assert.Empty(posted);
        Assert.Equal(KernelDumpFeed.Window, kernel.DumpBuffers.Rented);
        Assert.Equal(0, kernel.DumpBuffers.Outstanding);
        io.AbandonDump(new AbandonKernelDump("peer-a", 1)); // again, or an id no longer read: ignored
        io.RequestDump(new RequestKernelDump("peer-a", 2)); // the kernel dumps again after it
        Assert.Equal(KernelDumpFeed.Window, posted.Count);
        posted.OfType<KernelDumpChunkRead>().ToList().ForEach(r => r.Chunk.Dispose());
    }

    [Fact]
    public async Task A_digest_abandoned_after_its_first_chunk_hashes_no_further_and_posts_nothing()
    {
        var kernel = await BigKernelAsync(16000);
        await using var keys = kernel.OpenClient(100);
        var posted = new ConcurrentQueue<object>();
        var feed = new KernelDumpFeed(new RequestKernelDump("peer-a", 5, KernelDumpUse.Digest), keys, item =>
        {
            posted.Enqueue(item);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);
        var more = await feed.TakeAsync();

        feed.Abandon();
        await feed.RunAsync(more, CancellationToken.None);

        Assert.True(more);
        Assert.Empty(posted);
        Assert.True(feed.IsDone);
        Assert.Equal(1, kernel.DumpBuffers.Rented);
        Assert.Equal(0, kernel.DumpBuffers.Outstanding);
    }

    [Fact]
    public async Task On_the_kernel_loop_a_dump_abandoned_before_its_turn_is_never_taken()
    {
        var kernel = await BigKernelAsync(3000);
        await using var keys = kernel.OpenClient(100);
        var host = new SimulatedNode();
        var posted = new ConcurrentQueue<object>();
        using var stop = new CancellationTokenSource();
        var io = new PlatformNodeIo(
            new NodePlatform(keys, host.Carp, host.CarpGroup, System.Collections.Immutable.ImmutableDictionary<DaemonKind, IDaemonControl>.Empty),
            (item, _) =>
            {
                posted.Enqueue(item);
                return ValueTask.CompletedTask;
            },
            stop.Token);
        new SynchronousNodeIo(new NodePlatform(keys, host.Carp, host.CarpGroup, System.Collections.Immutable.ImmutableDictionary<DaemonKind, IDaemonControl>.Empty), _ => { })
            .RequestDump(new RequestKernelDump("peer-a", 9, KernelDumpUse.Digest));
        var oneDump = kernel.DumpBuffers.Rented; // what one digest's dump reads
        io.RequestDump(new RequestKernelDump("peer-a", 1, KernelDumpUse.Digest));
        io.RequestDump(new RequestKernelDump("peer-a", 2, KernelDumpUse.Digest));
        io.AbandonDump(new AbandonKernelDump("peer-a", 1));

        var loop = Task.Run(io.RunKernelLoopAsync);
        await Support.Eventually.TrueAsync(() => !posted.IsEmpty, "the second dump's completion");
        await stop.CancelAsync();
        await loop;

        var completed = Assert.IsType<KernelDumpCompleted>(Assert.Single(posted));
        Assert.Equal(2, completed.RequestId);
        Assert.NotNull(completed.Digest);
        Assert.True(oneDump > 1, $"{oneDump} chunks");
        Assert.Equal(2 * oneDump, kernel.DumpBuffers.Rented); // the reference dump and the second one: the first was never read
        Assert.Equal(0, kernel.DumpBuffers.Outstanding);
    }

    // A key engine whose dump fails after some chunks, as a kernel running out of memory midway would.
    private sealed class FailingDump(IKeyEngine inner, int failAfter) : IKeyEngine
    {
        public uint Pid => inner.Pid;

        public ValueTask SetPromiscuousAsync(bool enabled, CancellationToken cancellationToken) => inner.SetPromiscuousAsync(enabled, cancellationToken);

        public ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) => inner.WriteAsync(message, cancellationToken);

        public IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync(CancellationToken cancellationToken) => inner.ReadAllAsync(cancellationToken);

        public ValueTask<bool> ReadBatchAsync(KernelMessageBatch batch, CancellationToken cancellationToken) => inner.ReadBatchAsync(batch, cancellationToken);

        public async IAsyncEnumerable<KernelDumpChunk> DumpAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var handed = 0;
            await foreach (var chunk in inner.DumpAsync(cancellationToken))
            {
                if (handed++ == failAfter)
                {
                    chunk.Dispose();
                    throw new KeyEngineException(OpenBsdErrno.ENOMEM, "out of memory midway");
                }

                yield return chunk;
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
