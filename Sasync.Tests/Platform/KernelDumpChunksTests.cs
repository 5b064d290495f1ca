using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Core.Sync.Digest;
using Sasync.Tests.Simulation;
using Sasync.Tests.Sync;

namespace Sasync.Tests.Platform;

/// <summary>The streamed dump against the whole-buffer form it replaced.</summary>
public class KernelDumpChunksTests
{
    private const uint IkePid = 200;

    [Fact]
    public async Task The_simulated_kernels_chunks_are_the_records_of_its_whole_dumps_in_order()
    {
        var kernel = await BusyKernel.CreateAsync(IkePid);
        await using var keys = kernel.OpenClient(100);

        var streamed = await KernelDumpChunks.ToWholeAsync(keys.DumpAsync(default));

        Assert.Equal(kernel.DumpSadb(), streamed.Sadb.ToArray());
        Assert.Equal(kernel.DumpSpd(), streamed.Spd.ToArray());
        Assert.Equal(0, kernel.DumpBuffers.Outstanding); // every chunk went back
    }

    [Fact]
    public async Task A_whole_dump_cut_into_chunks_gives_back_the_same_bytes_each_chunk_whole_records()
    {
        var released = 0;
        var chunks = new List<KernelDumpChunk>();
        await foreach (var chunk in KernelDumpChunks.FromWhole(SampleKernelDump.Sadb, SampleKernelDump.Spd, () => released++))
        {
            chunks.Add(chunk);
        }

        Assert.Equal(0, released); // the chunks still hold the buffer
        Assert.Equal(SampleKernelDump.Sadb, chunks.Where(c => c.Table == KernelDumpTable.Sadb).SelectMany(c => c.Records.ToArray()));
        Assert.Equal(SampleKernelDump.Spd, chunks.Where(c => c.Table == KernelDumpTable.Spd).SelectMany(c => c.Records.ToArray()));
        Assert.All(chunks, c => Assert.True(PfKeyMessage.TryParseDump(c.Records, out _, out var error), error.ToString()));
        chunks.ForEach(c => c.Dispose());
        Assert.Equal(1, released);
    }

    [Fact]
    public async Task A_big_dump_is_cut_at_record_boundaries_near_the_chunk_size()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(IkePid);
        for (uint spi = 0x1000; spi < 0x1000 + 3000; spi++)
        {
            await ike.WriteAsync(KernelTestMessages.Add(IkePid, spi).Build(), default);
        }

        var sadb = kernel.DumpSadb();
        var chunks = KernelDumpChunks.FromWhole(sadb, ReadOnlyMemory<byte>.Empty).ToBlockingEnumerable().ToList();

        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c => Assert.InRange(c.Records.Length, 1, KernelDumpBuffers.ChunkBytes));
        Assert.All(chunks, c => Assert.True(PfKeyMessage.TryParseDump(c.Records, out _, out _)));
        Assert.Equal(sadb, chunks.SelectMany(c => c.Records.ToArray()));
    }

    [Fact]
    public void A_broken_dump_keeps_its_fault_in_the_last_chunk_of_its_table()
    {
        // A record whose length runs past the end, after one good record.
        var broken = SampleKernelDump.Sadb.Concat(new byte[] { 2, 9, 0, 3, 0xff, 0 }).Concat(new byte[10]).ToArray();
        var chunks = KernelDumpChunks.FromWhole(broken, SampleKernelDump.Spd).ToBlockingEnumerable().ToList();

        var whole = new SnapshotCursorRun(broken, SampleKernelDump.Spd);
        var streamed = new SnapshotCursorRun(chunks);
        Assert.Equal(whole.Messages, streamed.Messages);
        Assert.Equal(whole.Errors, streamed.Errors);
        Assert.NotEmpty(whole.Errors);
    }

    [Fact]
    public async Task The_digest_made_chunk_by_chunk_equals_the_one_over_the_whole_dump()
    {
        var kernel = await BusyKernel.CreateAsync(IkePid);
        await using var keys = kernel.OpenClient(100);
        var streamed = new KernelDigest(null);
        await foreach (var chunk in keys.DumpAsync(default))
        {
            using (chunk)
            {
                streamed.Add(chunk.Table, chunk.Records);
            }
        }

        Assert.True(KernelDigest.TryCompute(kernel.DumpSadb(), kernel.DumpSpd(), null, out var whole, out var problem), problem);
        Assert.Null(streamed.Problem);
        Assert.Equal(whole, streamed.Digest);
    }

    // A snapshot cursor read to its end, fed a whole dump or chunks.
    private sealed class SnapshotCursorRun
    {
        private static readonly SyncFilterContext Filter = new(100, Core.Config.FlushMode.Startup, SkipSlave: false, PeerAddresses: []);

        public SnapshotCursorRun(ReadOnlyMemory<byte> sadb, ReadOnlyMemory<byte> spd)
            : this(new SnapshotCursor(sadb, spd, Filter))
        {
        }

        public SnapshotCursorRun(IEnumerable<KernelDumpChunk> chunks)
            : this(Fed(chunks))
        {
        }

        private SnapshotCursorRun(SnapshotCursor cursor)
        {
            var messages = new List<ReadOnlyMemory<byte>>();
            while (!cursor.IsComplete)
            {
                cursor.Next(1000, messages);
            }

            Messages = [.. messages.Select(m => Convert.ToHexString(m.Span))];
            Errors = [.. cursor.Errors.Select(e => e.Message)];
        }

        public List<string> Messages { get; }

        public List<string> Errors { get; }

        private static SnapshotCursor Fed(IEnumerable<KernelDumpChunk> chunks)
        {
            var cursor = new SnapshotCursor(Filter);
            foreach (var chunk in chunks)
            {
                cursor.Add(chunk);
            }

            cursor.End();
            return cursor;
        }
    }
}
