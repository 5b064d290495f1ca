using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Sasync.Core.Config;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

public class FrameReaderTests
{
    private static readonly SharedKey Key = FrameRoundTripTests.KeyOf(24);

    private static FrameReader NewReader() => new(new FrameDecoder(Key));

    private static (byte[] Stream, List<byte[]> Plaintexts) StreamOf(int frames, int seed)
    {
        var random = new Random(seed);
        var encoder = new FrameEncoder(Key);
        var plaintexts = new List<byte[]>();
        var stream = new List<byte>();
        for (var i = 0; i < frames; i++)
        {
            var plaintext = new byte[1 + random.Next(i % 5 == 0 ? 4096 : 300)];
            random.NextBytes(plaintext);
            Assert.True(encoder.TryEncode((WireMessageType)(i % 2), plaintext, out byte[]? frame, out _));
            plaintexts.Add(plaintext);
            stream.AddRange(frame);
        }

        return (stream.ToArray(), plaintexts);
    }

    [Fact]
    public void Every_prefix_of_a_frame_needs_more_data_and_consumes_nothing()
    {
        var (stream, _) = StreamOf(1, seed: 1);
        var reader = NewReader();
        for (var length = 0; length < stream.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(stream, 0, length);
            var before = buffer;

            Assert.Equal(FrameReadStatus.NeedMoreData, reader.TryRead(ref buffer, out _, out var error));
            Assert.Equal(FrameError.None, error);
            Assert.Equal(before, buffer);
        }
    }

    [Fact]
    public void A_frame_split_at_any_point_is_read_whole()
    {
        var (stream, plaintexts) = StreamOf(1, seed: 2);
        for (var cut = 1; cut < stream.Length; cut++)
        {
            var buffer = SegmentedSequence.SplitAt(stream, cut, cut / 2, cut + 7);
            var reader = NewReader();

            Assert.Equal(FrameReadStatus.Frame, reader.TryRead(ref buffer, out var frame, out _));
            Assert.Equal(plaintexts[0], frame.Plaintext);
            Assert.True(buffer.IsEmpty);
        }
    }

    [Fact]
    public void Several_frames_in_one_read_come_out_one_per_call_and_a_partial_one_waits()
    {
        var (stream, plaintexts) = StreamOf(6, seed: 3);
        var buffer = new ReadOnlySequence<byte>(stream, 0, stream.Length - 5);
        var reader = NewReader();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(FrameReadStatus.Frame, reader.TryRead(ref buffer, out var frame, out _));
            Assert.Equal((WireMessageType)(i % 2), frame.Type);
            Assert.Equal(plaintexts[i], frame.Plaintext);
        }

        var rest = buffer.Length;
        Assert.Equal(FrameReadStatus.NeedMoreData, reader.TryRead(ref buffer, out _, out _));
        Assert.Equal(rest, buffer.Length);
        Assert.Equal(stream.Length - 5 - rest, buffer.Start.GetInteger());
    }

    [Fact]
    public void Bytes_arriving_one_at_a_time_give_every_frame()
    {
        var (stream, plaintexts) = StreamOf(4, seed: 4);
        var reader = NewReader();
        var plaintext = new byte[4096];
        var consumed = 0;
        var read = new List<byte[]>();
        for (var received = 1; received <= stream.Length; received++)
        {
            var buffer = new ReadOnlySequence<byte>(stream, consumed, received - consumed);
            while (reader.TryRead(ref buffer, plaintext, out var header, out var error) == FrameReadStatus.Frame)
            {
                Assert.Equal(FrameError.None, error);
                read.Add(plaintext[..header.PlaintextLength]);
            }

            consumed = (int)buffer.Start.GetInteger();
        }

        Assert.Equal(plaintexts, read);
        Assert.Equal(stream.Length, consumed);
    }

    [Theory]
    [InlineData(FrameLayout.LengthOffset, 5u, 4, FrameError.BadLength)]
    [InlineData(FrameLayout.LengthOffset, 0xffffffffu, 4, FrameError.BadLength)]
    [InlineData(FrameLayout.TypeOffset, 2u, 8, FrameError.BadType)]
    [InlineData(FrameLayout.PadLengthOffset, 16u, 12, FrameError.BadPadLength)]
    public void A_bad_field_is_fatal_as_soon_as_it_has_arrived(int offset, uint value, int bytesNeeded, FrameError expected)
    {
        var (stream, _) = StreamOf(1, seed: 5);
        BinaryPrimitives.WriteUInt32BigEndian(stream.AsSpan(offset), value);
        var reader = NewReader();

        var early = new ReadOnlySequence<byte>(stream, 0, bytesNeeded - 1);
        Assert.Equal(FrameReadStatus.NeedMoreData, reader.TryRead(ref early, out _, out _));
        var buffer = new ReadOnlySequence<byte>(stream, 0, bytesNeeded);
        Assert.Equal(FrameReadStatus.Error, reader.TryRead(ref buffer, out _, out var error));
        Assert.Equal(expected, error);
        Assert.Equal(expected, reader.Failure);
        Assert.Equal(bytesNeeded, buffer.Length);
    }

    [Fact]
    public void After_an_error_the_reader_never_resynchronises()
    {
        var (good, _) = StreamOf(2, seed: 6);
        var bad = (byte[])good.Clone();
        bad[FrameLayout.HashOffset] ^= 1;
        var reader = NewReader();

        var buffer = new ReadOnlySequence<byte>(bad);
        Assert.Equal(FrameReadStatus.Error, reader.TryRead(ref buffer, out _, out var error));
        Assert.Equal(FrameError.HashMismatch, error);

        var fresh = new ReadOnlySequence<byte>(good);
        Assert.Equal(FrameReadStatus.Error, reader.TryRead(ref fresh, out _, out error));
        Assert.Equal(FrameError.HashMismatch, error);
        Assert.Equal(FrameReadStatus.Error, reader.TryRead(ref fresh, new byte[4096], out _, out error));
        Assert.Equal(FrameError.HashMismatch, error);
        Assert.Equal(good.Length, fresh.Length);
    }

    [Fact]
    public void A_too_small_plaintext_buffer_consumes_nothing_and_can_be_retried()
    {
        var (stream, plaintexts) = StreamOf(1, seed: 8);
        var reader = NewReader();
        var buffer = new ReadOnlySequence<byte>(stream);

        Assert.Equal(FrameReadStatus.Error, reader.TryRead(ref buffer, new byte[plaintexts[0].Length - 1], out _, out var error));
        Assert.Equal(FrameError.DestinationTooSmall, error);
        Assert.Equal(stream.Length, buffer.Length);
        Assert.Equal(FrameReadStatus.Frame, reader.TryRead(ref buffer, new byte[4096], out var header, out _));
        Assert.Equal(plaintexts[0].Length, header.PlaintextLength);
    }

    [Fact]
    public void Random_byte_streams_end_in_an_error_or_a_wait_without_throwing()
    {
        var random = new Random(9);
        var outcomes = new HashSet<FrameError>();
        for (var round = 0; round < 400; round++)
        {
            var bytes = new byte[random.Next(0, 6000)];
            random.NextBytes(bytes);
            if (round % 2 == 0 && bytes.Length >= 12)
            {
                // A plausible header, so that random bodies reach the decryption and the hash check.
                var ciphertext = 16 * random.Next(1, 257);
                BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)(FrameLayout.LengthFieldOverhead + ciphertext));
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), (uint)random.Next(2));
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), (uint)random.Next(16));
            }

            var cuts = Enumerable.Range(0, random.Next(5)).Select(_ => random.Next(bytes.Length + 1)).ToArray();
            var buffer = SegmentedSequence.SplitAt(bytes, cuts);
            var reader = NewReader();
            var status = reader.TryRead(ref buffer, out _, out var error);

            Assert.NotEqual(FrameReadStatus.Frame, status);
            Assert.Equal(status == FrameReadStatus.Error, error != FrameError.None);
            outcomes.Add(error);
        }

        Assert.Contains(FrameError.BadLength, outcomes);
        Assert.Contains(FrameError.HashMismatch, outcomes);
        Assert.Contains(FrameError.None, outcomes);
    }

    [Fact]
    public void A_corrupted_stream_gives_only_the_frames_before_the_damage_then_an_error()
    {
        var random = new Random(10);
        for (var round = 0; round < 100; round++)
        {
            var (stream, plaintexts) = StreamOf(5, seed: 100 + round);
            var damaged = random.Next(stream.Length);
            stream[damaged] ^= (byte)(1 + random.Next(255));
            var buffer = SegmentedSequence.SplitAt(stream, random.Next(stream.Length), random.Next(stream.Length));
            var reader = NewReader();

            var read = 0;
            FrameReadStatus status;
            while ((status = reader.TryRead(ref buffer, out var frame, out _)) == FrameReadStatus.Frame)
            {
                Assert.Equal(plaintexts[read], frame.Plaintext);
                read++;
            }

            Assert.True(read < plaintexts.Count);
            Assert.True(status == FrameReadStatus.Error || buffer.Length > 0, $"round {round}: {status}");
        }
    }

    [Fact]
    public async Task Frames_written_in_pieces_to_a_pipe_are_read_with_consumed_and_examined_positions()
    {
        var (stream, plaintexts) = StreamOf(20, seed: 11);
        var pipe = new Pipe();
        var random = new Random(11);
        var writing = Task.Run(async () =>
        {
            for (var offset = 0; offset < stream.Length;)
            {
                var piece = Math.Min(stream.Length - offset, 1 + random.Next(700));
                await pipe.Writer.WriteAsync(stream.AsMemory(offset, piece));
                offset += piece;
            }

            await pipe.Writer.CompleteAsync();
        });

        var reader = NewReader();
        var read = new List<byte[]>();
        while (true)
        {
            var result = await pipe.Reader.ReadAsync();
            var buffer = result.Buffer;
            while (reader.TryRead(ref buffer, out var frame, out var error) == FrameReadStatus.Frame)
            {
                Assert.Equal(FrameError.None, error);
                read.Add(frame.Plaintext);
            }

            pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                Assert.True(buffer.IsEmpty);
                break;
            }
        }

        await writing;
        await pipe.Reader.CompleteAsync();
        Assert.Equal(plaintexts, read);
    }
}
