using Sasync.Core.Simulation;

namespace Sasync.Tests.Simulation;

/// <summary>The receive queue of a simulated PF_KEY socket: messages' bytes in segments, read in order.</summary>
public sealed class KeyClientInboxTests
{
    [Fact]
    public void A_burst_over_many_segments_and_a_message_longer_than_a_segment_come_out_whole_and_in_order()
    {
        var inbox = new KeyClientInbox(10_000);
        var written = Enumerable.Range(0, 3000).Select(i => Message(i, 8 * (1 + (i % 40)))).ToList();
        written.Insert(1500, Message(7, 100 * 1024));
        foreach (var message in written)
        {
            Assert.True(inbox.TryWrite(message));
        }

        var read = new List<byte[]>();
        while (inbox.TryRead(out byte[] message))
        {
            read.Add(message);
        }

        Assert.Equal(written, read);
    }

    [Fact]
    public void A_message_longer_than_the_buffer_given_stays_queued_and_a_full_queue_refuses()
    {
        var inbox = new KeyClientInbox(2);
        Assert.True(inbox.TryWrite(Message(1, 64)));
        Assert.True(inbox.TryWrite(Message(2, 8)));
        Assert.False(inbox.TryWrite(Message(3, 8)));

        Assert.False(inbox.TryRead(new byte[16], out var needed));
        Assert.Equal(64, needed);
        var buffer = new byte[64];
        Assert.True(inbox.TryRead(buffer, out var length));
        Assert.Equal(Message(1, 64), buffer[..length]);
        Assert.True(inbox.TryRead(buffer, out length));
        Assert.Equal(Message(2, 8), buffer[..length]);
        Assert.False(inbox.TryRead(buffer, out length));
        Assert.Equal(0, length);
    }

    [Fact]
    public async Task A_waiting_reader_wakes_for_a_message_and_ends_after_completion()
    {
        var inbox = new KeyClientInbox(10);
        var waiting = inbox.WaitToReadAsync(CancellationToken.None).AsTask();
        Assert.True(inbox.TryWrite(Message(1, 8)));
        Assert.True(await waiting);
        Assert.True(inbox.TryRead(out byte[] _));

        inbox.Complete();

        Assert.False(await inbox.WaitToReadAsync(CancellationToken.None));
        Assert.False(inbox.TryWrite(Message(2, 8)));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1_000_000)]
    public async Task A_reader_beside_a_writer_gets_every_message_once_and_in_order(int capacity)
    {
        // The writer and the reader share no lock: this runs them at once, over many segments, with a queue
        // that is full now and then (the writer retries) or never.
        const int count = 50_000;
        var inbox = new KeyClientInbox(capacity);
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < count; i++)
            {
                var message = Numbered(i);
                while (!inbox.TryWrite(message))
                {
                    Thread.Yield();
                }
            }

            inbox.Complete();
        });

        var batch = new Sasync.Core.Platform.KernelMessageBatch();
        var single = new byte[1024];
        var next = 0;
        while (await inbox.WaitToReadAsync(CancellationToken.None))
        {
            // Batches and single reads in turn, as the socket's readers may mix them.
            if (next % 2 == 0)
            {
                batch.Clear();
                Assert.True(inbox.TryReadBatch(batch) > 0);
                foreach (var message in batch.Messages)
                {
                    Assert.Equal(Numbered(next++), message.ToArray());
                }
            }
            else
            {
                Assert.True(inbox.TryRead(single, out var length));
                Assert.Equal(Numbered(next++), single[..length]);
            }
        }

        await writer;
        Assert.Equal(count, next);
        Assert.False(inbox.TryRead(out byte[] _));
    }

    // Message i: its number in the first four bytes, and a length that changes from one message to the next.
    private static byte[] Numbered(int i)
    {
        var message = new byte[8 + (8 * (i % 50)) + (i % 7)];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(message, i);
        message[^1] = (byte)i;
        return message;
    }

    private static byte[] Message(int seed, int length) => [.. Enumerable.Range(seed, length).Select(b => (byte)b)];
}
