using Sasync.Core.Platform;

namespace Sasync.Tests.Platform;

public sealed class KernelMessageBatchTests
{
    [Fact]
    public void Messages_go_in_back_to_back_until_the_byte_or_message_bound()
    {
        var batch = new KernelMessageBatch(maxBytes: 100, maxMessages: 3);

        Assert.True(batch.TryAdd(Filled(40, 1)));
        Assert.True(batch.TryAdd(Filled(40, 2)));
        Assert.False(batch.TryAdd(Filled(40, 3))); // 120 bytes > 100
        Assert.True(batch.TryAdd(Filled(20, 4)));
        Assert.False(batch.TryAdd(Filled(1, 5))); // a fourth message

        Assert.Equal([40, 40, 20], batch.Messages.Select(m => m.Length));
        Assert.Equal([1, 2, 4], batch.Messages.Select(m => m.Span[0]));
        Assert.All(batch.Messages, m => Assert.True(m.Span.IndexOfAnyExcept(m.Span[0]) < 0));
    }

    [Fact]
    public void A_message_longer_than_the_bound_still_goes_in_first()
    {
        var batch = new KernelMessageBatch(maxBytes: 16, maxMessages: 4);

        Assert.True(batch.TryAdd(Filled(5000, 7)));
        Assert.False(batch.HasRoomFor(1));

        Assert.Equal(5000, Assert.Single(batch.Messages).Length);
    }

    [Fact]
    public void The_buffer_grows_for_a_burst_and_keeps_earlier_messages_intact()
    {
        var batch = new KernelMessageBatch(maxBytes: 64 * 1024, maxMessages: 1000);
        for (var i = 0; i < 200; i++)
        {
            Assert.True(batch.TryAdd(Filled(200, (byte)i)));
        }

        Assert.Equal(200, batch.Count);
        for (var i = 0; i < 200; i++)
        {
            Assert.True(batch.Messages[i].Span.IndexOfAnyExcept((byte)i) < 0, $"message {i} changed");
        }
    }

    [Fact]
    public void Clear_empties_it_and_the_next_messages_reuse_the_buffer()
    {
        var batch = new KernelMessageBatch();
        batch.TryAdd(Filled(300, 1));
        var first = batch.Messages[0];

        batch.Clear();
        Assert.Equal(0, batch.Count);
        batch.TryAdd(Filled(300, 2));

        Assert.True(batch.Messages[0].Span.Overlaps(first.Span));
        Assert.Equal(2, first.Span[0]); // what Clear promised: the old message is gone
    }

    [Fact]
    public void Reserve_without_room_throws()
    {
        var batch = new KernelMessageBatch(maxBytes: 10, maxMessages: 1);
        batch.Reserve(4);

        Assert.Throws<InvalidOperationException>(() => batch.Reserve(4));
    }

    [Fact]
    public async Task The_reader_over_a_stream_carries_a_message_that_did_not_fit_into_the_next_batch()
    {
        var reader = new KernelMessageBatchReader(Stream(Filled(60, 1), Filled(60, 2), Filled(60, 3)), default);
        await using var _ = reader;
        var batch = new KernelMessageBatch(maxBytes: 128, maxMessages: 8);

        Assert.True(await reader.ReadAsync(batch));
        Assert.Equal([1, 2], batch.Messages.Select(m => m.Span[0]));
        Assert.True(await reader.ReadAsync(batch));
        Assert.Equal([3], batch.Messages.Select(m => m.Span[0]));
        Assert.False(await reader.ReadAsync(batch));
        Assert.Equal(0, batch.Count);
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Stream(params byte[][] messages)
    {
        foreach (var message in messages)
        {
            yield return message;
        }

        await Task.CompletedTask;
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
