using Sasync.Core.Simulation;

namespace Sasync.Tests.Simulation;

/// <summary>The arena the simulated kernel keeps its SAs' and flows' extensions in.</summary>
public sealed class ExtensionArenaTests
{
    [Fact]
    public void Blobs_do_not_overlap_and_keep_their_bytes_while_others_come_and_go()
    {
        var arena = new ExtensionArena();
        var blobs = Enumerable.Range(1, 2000).Select(i => arena.Allocate(8 * ((i % 5) + 1))).ToList();
        for (var i = 0; i < blobs.Count; i++)
        {
            blobs[i].Span.Fill((byte)i);
        }

        // Free every other blob and allocate the same sizes again: they take the freed places, the rest stays intact.
        for (var i = 0; i < blobs.Count; i += 2)
        {
            arena.Free(blobs[i]);
        }

        for (var i = 0; i < blobs.Count; i += 2)
        {
            blobs[i] = arena.Allocate(blobs[i].Length);
            blobs[i].Span.Fill((byte)i);
        }

        for (var i = 0; i < blobs.Count; i++)
        {
            Assert.True(blobs[i].Span.IndexOfAnyExcept((byte)i) < 0, $"blob {i} was overwritten");
        }
    }

    [Fact]
    public void A_freed_blob_is_the_next_one_of_its_size()
    {
        var arena = new ExtensionArena();
        var first = arena.Allocate(208);
        arena.Allocate(24);
        arena.Free(first);

        var again = arena.Allocate(208);

        Assert.Equal((first.Chunk, first.Offset), (again.Chunk, again.Offset));
        Assert.NotEqual(first.Offset, arena.Allocate(208).Offset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(ExtensionArena.ChunkSize + 8)]
    public void Lengths_that_are_not_positive_multiples_of_8_up_to_a_chunk_are_refused(int length) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExtensionArena().Allocate(length));
}
