using System.Buffers;
using Sasync.Core.Config;
using Sasync.Core.Net;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

/// <summary>The batch encode and decode of the legacy codec against the single-frame one, byte for byte.</summary>
public class FrameBatchCodecTests
{
    public static TheoryData<int> KeyLengths => FrameRoundTripTests.KeyLengths;

    private static (WireMessageType[] Types, ReadOnlyMemory<byte>[] Plaintexts) MessagesOf(Random random, int count, int longest = 4096)
    {
        var types = new WireMessageType[count];
        var plaintexts = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            types[i] = random.Next(5) == 0 ? WireMessageType.Control : WireMessageType.PfKey;
            var plaintext = new byte[random.Next(3) == 0 ? 1 + random.Next(longest) : 200 + random.Next(16)];
            random.NextBytes(plaintext);
            plaintexts[i] = plaintext;
        }

        return (types, plaintexts);
    }

    private static byte[] EncodeOneByOne(SharedKey key, WireMessageType[] types, ReadOnlyMemory<byte>[] plaintexts)
    {
        var encoder = new FrameEncoder(key, new FixedIvSource());
        var stream = new List<byte>();
        for (var i = 0; i < types.Length; i++)
        {
            Assert.True(encoder.TryEncode(types[i], plaintexts[i].Span, out byte[]? frame, out var error), error.Describe());
            stream.AddRange(frame);
        }

        return stream.ToArray();
    }

    /// <summary>Reads the whole stream with the batch overload, checking each frame's plaintext lies after the one before.</summary>
    private static List<(WireMessageType Type, byte[] Plaintext)> ReadInBatches(FrameReader reader, ReadOnlySequence<byte> stream, out FrameReadStatus last, out FrameError error, int batch = 8)
    {
        var read = new List<(WireMessageType, byte[])>();
        var destination = new byte[8 * 4112];
        var headers = new FrameHeader[batch];
        while (true)
        {
            last = reader.TryRead(ref stream, destination, headers, out var count, out error);
            if (last != FrameReadStatus.Frame)
            {
                return read;
            }

            Assert.InRange(count, 1, Math.Min(batch, 8));
            var offset = 0;
            for (var i = 0; i < count; i++)
            {
                read.Add((headers[i].Type, destination.AsSpan(offset, headers[i].PlaintextLength).ToArray()));
                offset += headers[i].PlaintextLength;
                // Only the last of a batch may be a control frame.
                Assert.True(i == count - 1 || headers[i].Type != WireMessageType.Control);
            }

            Assert.All(destination.AsSpan(offset).ToArray(), b => Assert.Equal(0, b));
            Array.Clear(destination);
        }
    }

    [Theory]
    [MemberData(nameof(KeyLengths))]
    public void Batch_encoding_writes_the_same_bytes_as_encoding_one_by_one(int keyLength)
    {
        var key = FrameRoundTripTests.KeyOf(keyLength);
        var random = new Random(1300 + keyLength);
        for (var count = 1; count <= 20; count++)
        {
            var (types, plaintexts) = MessagesOf(random, count);
            var expected = EncodeOneByOne(key, types, plaintexts);

            var encoder = new FrameEncoder(key, new FixedIvSource());
            var destination = new byte[expected.Length + 7];
            Assert.True(encoder.TryEncode(types, plaintexts, destination, out var written, out var error), error.Describe());
            Assert.Equal(expected.Length, written);
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(destination, 0, written));

            var writer = new ArrayBufferWriter<byte>(16);
            Assert.True(new FrameEncoder(key, new FixedIvSource()).TryEncode(types, plaintexts, writer, out error), error.Describe());
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(writer.WrittenSpan));
        }
    }

    [Fact]
    public void Batch_encoding_checks_every_message_before_writing_any()
    {
        var key = FrameRoundTripTests.KeyOf(32);
        var encoder = new FrameEncoder(key);
        var destination = new byte[10_000];
        ReadOnlyMemory<byte>[] tooLong = [new byte[208], new byte[4097]];
        Assert.False(encoder.TryEncode([WireMessageType.PfKey, WireMessageType.PfKey], tooLong, destination, out var written, out var error));
        Assert.Equal((0, FrameError.PlaintextTooLong), (written, error));
        Assert.All(destination, b => Assert.Equal(0, b));

        ReadOnlyMemory<byte>[] fine = [new byte[208], new byte[208]];
        Assert.False(encoder.TryEncode([WireMessageType.PfKey, WireMessageType.PfKey], fine, destination.AsSpan(0, 2 * 256 - 1), out written, out error));
        Assert.Equal((0, FrameError.DestinationTooSmall), (written, error));
        Assert.False(encoder.TryEncode([WireMessageType.PfKey, (WireMessageType)7], fine, destination, out _, out error));
        Assert.Equal(FrameError.BadType, error);
    }

    [Theory]
    [MemberData(nameof(KeyLengths))]
    public void Batch_decoding_gives_every_frame_of_a_stream_as_the_single_frame_reader_does(int keyLength)
    {
        var key = FrameRoundTripTests.KeyOf(keyLength);
        var random = new Random(1400 + keyLength);
        for (var round = 0; round < 30; round++)
        {
            var (types, plaintexts) = MessagesOf(random, 1 + random.Next(40), longest: round % 2 == 0 ? 4096 : 300);
            var stream = EncodeOneByOne(key, types, plaintexts);
            var batch = 1 + (round % 9);

            var read = ReadInBatches(new FrameReader(new FrameDecoder(key)), new ReadOnlySequence<byte>(stream), out var last, out var error, batch);
            Assert.Equal((FrameReadStatus.NeedMoreData, FrameError.None), (last, error));
            Assert.Equal(types, read.Select(r => r.Type));
            Assert.Equal(plaintexts.Select(p => Convert.ToHexString(p.Span)), read.Select(r => Convert.ToHexString(r.Plaintext)));

            // The same stream in pieces, as a PipeReader may hand it over.
            var cuts = Enumerable.Range(0, 5).Select(_ => random.Next(stream.Length)).ToArray();
            read = ReadInBatches(new FrameReader(new FrameDecoder(key)), SegmentedSequence.SplitAt(stream, cuts), out last, out _, batch);
            Assert.Equal(FrameReadStatus.NeedMoreData, last);
            Assert.Equal(plaintexts.Select(p => Convert.ToHexString(p.Span)), read.Select(r => Convert.ToHexString(r.Plaintext)));
        }
    }

    [Fact]
    public void The_originals_frames_read_in_one_batch_and_encode_in_one_batch_to_the_same_bytes()
    {
        foreach (var group in FrameVectors.All.Where(v => v.AcceptedByOriginal).GroupBy(v => Convert.ToHexString(v.Key)))
        {
            var vectors = group.ToArray();
            var stream = vectors.SelectMany(v => v.Frame).ToArray();
            var read = ReadInBatches(new FrameReader(new FrameDecoder(vectors[0].SharedKey)), new ReadOnlySequence<byte>(stream), out var last, out var error);
            Assert.Equal((FrameReadStatus.NeedMoreData, FrameError.None), (last, error));
            Assert.Equal(vectors.Select(v => Convert.ToHexString(v.Plaintext)), read.Select(r => Convert.ToHexString(r.Plaintext)));

            var encoder = new FrameEncoder(vectors[0].SharedKey, new FixedIvSource(vectors.Select(v => v.Iv).ToArray()));
            var destination = new byte[stream.Length];
            Assert.True(encoder.TryEncode(vectors.Select(v => v.Type).ToArray(), vectors.Select(v => (ReadOnlyMemory<byte>)v.Plaintext).ToArray(), destination, out var written, out error), error.Describe());
            Assert.Equal(Convert.ToHexString(stream), Convert.ToHexString(destination, 0, written));
        }
    }

    [Fact]
    public void A_flipped_bit_in_any_frame_of_a_batch_delivers_the_frames_before_it_then_the_error()
    {
        var key = FrameRoundTripTests.KeyOf(32);
        var random = new Random(1500);
        var plaintexts = Enumerable.Range(0, 8).Select(_ => (ReadOnlyMemory<byte>)RandomBytes(random, 208)).ToArray();
        var types = Enumerable.Repeat(WireMessageType.PfKey, 8).ToArray();
        var stream = EncodeOneByOne(key, types, plaintexts);
        var frameLength = FrameLayout.FrameLengthFor(208);
        for (var bad = 0; bad < 8; bad++)
        {
            foreach (var offset in new[] { FrameLayout.HashOffset, FrameLayout.HashOffset + 19, FrameLayout.IvOffset + 3, FrameLayout.CiphertextOffset, frameLength - 1 })
            {
                var flipped = (byte[])stream.Clone();
                flipped[(bad * frameLength) + offset] ^= (byte)(1 << random.Next(8));

                var read = ReadInBatches(new FrameReader(new FrameDecoder(key)), new ReadOnlySequence<byte>(flipped), out var last, out var error);
                Assert.Equal((FrameReadStatus.Error, FrameError.HashMismatch), (last, error));
                Assert.Equal(plaintexts.Take(bad).Select(p => Convert.ToHexString(p.Span)), read.Select(r => Convert.ToHexString(r.Plaintext)));
            }
        }
    }

    [Fact]
    public void Pad_bytes_that_differ_from_the_originals_are_refused_in_a_batch()
    {
        var key = FrameRoundTripTests.KeyOf(16);
        var encoder = new FrameEncoder(key);
        var random = new Random(1600);
        var good = RandomBytes(random, 200);
        Assert.True(encoder.TryEncode(WireMessageType.PfKey, good, out byte[]? first, out _));

        // A frame whose hash covers 200 bytes but whose last 8 "pad" bytes are not counting down: built by
        // encoding 208 bytes and relabelling 8 of them as pad.
        var body = RandomBytes(random, 208);
        Assert.True(encoder.TryEncode(WireMessageType.PfKey, body, out byte[]? second, out _));
        var relabelled = (byte[])second.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(relabelled.AsSpan(FrameLayout.PadLengthOffset), 8);
        System.Security.Cryptography.SHA1.HashData(body.AsSpan(0, 200), relabelled.AsSpan(FrameLayout.HashOffset, FrameLayout.HashSize));

        var read = ReadInBatches(new FrameReader(new FrameDecoder(key)), new ReadOnlySequence<byte>([.. first, .. relabelled, .. first]), out var last, out var error);
        Assert.Equal((FrameReadStatus.Error, FrameError.BadPadBytes), (last, error));
        Assert.Equal([Convert.ToHexString(good)], read.Select(r => Convert.ToHexString(r.Plaintext)));
    }

    [Fact]
    public void The_codec_decodes_a_batch_into_the_callers_buffer_and_stops_after_a_control_frame()
    {
        var key = FrameRoundTripTests.KeyOf(32);
        var codec = new SasyncFrameCodec(key, channel: ChannelPolicy.Legacy);
        var random = new Random(1700);
        WireMessageType[] types = [WireMessageType.PfKey, WireMessageType.PfKey, WireMessageType.Control, WireMessageType.PfKey];
        var plaintexts = types.Select(t => (ReadOnlyMemory<byte>)RandomBytes(random, t == WireMessageType.Control ? 12 : 208)).ToArray();
        var writer = new ArrayBufferWriter<byte>();
        Assert.True(codec.CreateEncoder().TryEncode(types, plaintexts, writer, out var failure), failure);

        var decoder = codec.CreateDecoder();
        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);
        var destination = new byte[8192];
        var frames = new List<ReceivedFrame>();
        var used = 0;
        var calls = new List<int>();
        while (frames.Count < types.Length)
        {
            var before = frames.Count;
            Assert.Equal(FrameDecodeStatus.Frame, decoder.TryDecode(ref buffer, destination.AsMemory(used), frames, out var more, out _));
            Assert.Equal(frames.Skip(before).Sum(f => f.Plaintext.Length), more);
            Assert.All(frames.Skip(before), f => Assert.True(f.Plaintext.Span.Overlaps(destination.AsSpan(used, more))));
            used += more;
            calls.Add(frames.Count - before);
        }

        // Without AVX2 the codec decodes one frame per call.
        Assert.Equal(MultiBufferSha1.IsSupported ? [3, 1] : [1, 1, 1, 1], calls);
        Assert.Equal(types, frames.Select(f => f.Type));
        Assert.Equal(plaintexts.Select(p => Convert.ToHexString(p.Span)), frames.Select(f => Convert.ToHexString(f.Plaintext.Span)));
        Assert.Equal(FrameDecodeStatus.NeedMoreData, decoder.TryDecode(ref buffer, destination, frames, out _, out _));
    }

    [Fact]
    public void Batch_encoding_and_decoding_allocate_nothing_per_frame()
    {
        var key = FrameRoundTripTests.KeyOf(32);
        var encoder = new FrameEncoder(key);
        var reader = new FrameReader(new FrameDecoder(key));
        var types = Enumerable.Repeat(WireMessageType.PfKey, 8).ToArray();
        var plaintexts = Enumerable.Range(0, 8).Select(_ => (ReadOnlyMemory<byte>)new byte[208]).ToArray();
        var frames = new byte[8 * FrameLayout.FrameLengthFor(208)];
        var destination = new byte[8 * 4096];
        var headers = new FrameHeader[8];
        bool Step()
        {
            var ok = encoder.TryEncode(types, plaintexts, frames, out _, out _);
            var stream = new ReadOnlySequence<byte>(frames);
            var read = 0;
            while (ok && stream.Length > 0)
            {
                ok = reader.TryRead(ref stream, destination, headers, out var count, out _) == FrameReadStatus.Frame;
                read += count;
            }

            return ok && read == 8;
        }

        var failures = 0;
        for (var i = 0; i < 300; i++)
        {
            failures += Step() ? 0 : 1;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            failures += Step() ? 0 : 1;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, failures);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
