using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sasync.Core.Hosting;
using Sasync.Tests.Support;

namespace Sasync.Tests.Hosting;

public sealed class IdleMemoryTrimmerTests
{
    private const long MB = 1 << 20;
    private static readonly IdleMemoryTrimmerOptions Options = new() { Interval = TimeSpan.FromSeconds(5), IdleAllocationBytes = 4 * MB, Growth = 32 * MB };

    [Theory]
    [InlineData(0, 60, 0, 60, false)]        // nothing grew
    [InlineData(0, 140, 1, 140, true)]       // grew by 80 MB over the floor of 60, then idle
    [InlineData(0, 140, 50, 140, false)]     // grew, but still busy
    [InlineData(0, 80, 1, 80, false)]        // grew by 20 MB only
    public void Trims_only_an_idle_process_whose_heap_grew(long allocatedBefore, long committedBefore, long allocatedNow, long committedNow, bool trim) =>
        Assert.Equal(trim, IdleMemoryTrimmer.ShouldTrim(Options, 60 * MB,
            new MemorySample(allocatedBefore * MB, committedBefore * MB), new MemorySample(allocatedNow * MB, committedNow * MB)));

    [Fact]
    public async Task Collects_once_after_a_burst_and_not_again_until_the_heap_grows_again()
    {
        var time = new FakeTimeProvider();
        var samples = new ConcurrentQueue<MemorySample>();
        var last = new MemorySample(0, 60 * MB);
        var taken = 0;
        MemorySample Sample()
        {
            Interlocked.Increment(ref taken);
            if (samples.TryDequeue(out var next))
            {
                last = next;
            }

            return last;
        }

        var collections = 0;
        await using var trimmer = new IdleMemoryTrimmer(Options with { TimeProvider = time }, NullLogger.Instance, Sample, () =>
        {
            collections++;
            samples.Enqueue(last with { CommittedBytes = 62 * MB }); // what the collection leaves
        });

        async Task TickAsync(MemorySample? next)
        {
            if (next is { } sample)
            {
                samples.Enqueue(sample);
            }

            var before = Volatile.Read(ref taken);
            time.Advance(Options.Interval);
            await Eventually.TrueAsync(() => Volatile.Read(ref taken) > before, "the trimmer looked at the heap");
        }

        await TickAsync(new MemorySample(500 * MB, 200 * MB)); // the flood: busy, big
        Assert.Equal(0, collections);
        await TickAsync(new MemorySample(501 * MB, 200 * MB)); // idle now
        await Eventually.TrueAsync(() => trimmer.Trims == 1, "one collection");
        await TickAsync(new MemorySample(502 * MB, 70 * MB));  // idle, small: nothing to do
        await TickAsync(null);
        Assert.Equal(1, collections);
        await TickAsync(new MemorySample(900 * MB, 150 * MB)); // a second flood
        await TickAsync(new MemorySample(900 * MB, 150 * MB));
        await Eventually.TrueAsync(() => trimmer.Trims == 2, "a second collection");
        Assert.Equal(2, collections);
    }
}
