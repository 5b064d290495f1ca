using System.Buffers;
using Sasync.Core.Config;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

public class FrameRoundTripTests
{
    public static TheoryData<int> KeyLengths => new() { 16, 24, 32 };

    internal static SharedKey KeyOf(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed * 100 + length).NextBytes(bytes);
        return new SharedKey(bytes);
    }

    [Theory]
    [MemberData(nameof(KeyLengths))]
    public void Every_size_from_0_to_4096_round_trips_or_is_refused_at_0(int keyLength)
    {
        var key = KeyOf(keyLength);
        var encoder = new FrameEncoder(key);
        var decoder = new FrameDecoder(key);
        var random = new Random(keyLength);
        var plaintext = new byte[4096];
        random.NextBytes(plaintext);

        Assert.False(encoder.TryEncode(WireMessageType.PfKey, [], out byte[]? empty, out var emptyError));
        Assert.Null(empty);
        Assert.Equal(FrameError.PlaintextTooShort, emptyError);

        for (var size = 1; size <= 4096; size++)
        {
            var type = (WireMessageType)(size % 2);
            Assert.True(encoder.TryEncode(type, plaintext.AsSpan(0, size), out byte[]? frame, out var error), $"{size}: {error}");
            Assert.Equal(FrameLayout.FrameLengthFor(size), frame.Length);
            Assert.Equal(0, (frame.Length - FrameLayout.CiphertextOffset) % FrameLayout.BlockSize);

            Assert.True(decoder.TryDecode(frame, out var decoded, out error), $"{size}: {error}");
            Assert.Equal(type, decoded.Type);
            Assert.Equal(FrameLayout.PadLengthFor(size), decoded.PadLength);
            Assert.True(plaintext.AsSpan(0, size).SequenceEqual(decoded.Plaintext), $"size {size}");
        }
    }

    [Theory]
    [InlineData(4097)]
    [InlineData(4100)]
    [InlineData(65536)]
    public void A_plaintext_padding_past_4096_bytes_is_refused_and_nothing_is_written(int size)
    {
        var encoder = new FrameEncoder(KeyOf(16));
        var destination = new byte[70000];
        var writer = new ArrayBufferWriter<byte>();

        Assert.False(encoder.TryEncode(WireMessageType.PfKey, new byte[size], destination, out var written, out var error));
        Assert.Equal(FrameError.PlaintextTooLong, error);
        Assert.Equal(0, written);
        Assert.All(destination, b => Assert.Equal(0, b));
        Assert.False(encoder.TryEncode(WireMessageType.PfKey, new byte[size], writer, out error));
        Assert.Equal(FrameError.PlaintextTooLong, error);
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void Encoding_refuses_an_unknown_type_and_a_small_destination()
    {
        var encoder = new FrameEncoder(KeyOf(16));

        Assert.False(encoder.TryEncode((WireMessageType)2, new byte[16], new byte[64], out _, out var error));
        Assert.Equal(FrameError.BadType, error);
        Assert.False(encoder.TryEncode(WireMessageType.PfKey, new byte[17], new byte[79], out _, out error));
        Assert.Equal(FrameError.DestinationTooSmall, error);
        Assert.False(encoder.TryEncode(ControlMessage.EndSnapshot, new byte[63], out _, out error));
        Assert.Equal(FrameError.DestinationTooSmall, error);
        Assert.True(encoder.TryEncode(ControlMessage.EndSnapshot, new byte[64], out var written, out error));
        Assert.Equal(FrameLayout.ControlFrameLength, written);
    }

    [Fact]
    public void Decoding_into_a_buffer_smaller_than_the_plaintext_is_refused()
    {
        var key = KeyOf(16);
        Assert.True(new FrameEncoder(key).TryEncode(WireMessageType.PfKey, new byte[100], out byte[]? frame, out _));

        Assert.False(new FrameDecoder(key).TryDecode(frame, new byte[99], out _, out var error));
        Assert.Equal(FrameError.DestinationTooSmall, error);
        Assert.True(new FrameDecoder(key).TryDecode(frame, new byte[100], out var header, out error));
        Assert.Equal(100, header.PlaintextLength);
    }

    [Fact]
    public void Every_frame_gets_a_fresh_iv_so_equal_plaintexts_give_different_frames()
    {
        var encoder = new FrameEncoder(KeyOf(32));
        var frames = Enumerable.Range(0, 200).Select(_ => encoder.Encode(ControlMessage.StateOf(Core.RunState.Master))).ToList();

        var ivs = frames.Select(f => Convert.ToHexString(f, FrameLayout.IvOffset, FrameLayout.IvSize)).ToHashSet();
        Assert.Equal(200, ivs.Count);
        Assert.Single(frames.Select(f => Convert.ToHexString(f, 0, FrameLayout.IvOffset)).Distinct());
    }

    [Fact]
    public void The_span_apis_allocate_nothing_per_frame_and_the_array_apis_only_their_result()
    {
        var key = KeyOf(32);
        var encoder = new FrameEncoder(key);
        var reader = new FrameReader(new FrameDecoder(key));
        var payload = new byte[208];
        var frame = new byte[FrameLayout.FrameLengthFor(payload.Length)];
        var plaintext = new byte[4096];
        bool Step()
        {
            var whole = new ReadOnlySequence<byte>(frame);
            return encoder.TryEncode(WireMessageType.PfKey, payload, frame, out _, out _)
                && reader.TryRead(ref whole, plaintext, out _, out _) == FrameReadStatus.Frame;
        }

        var failures = 0;
        for (var i = 0; i < 50; i++)
        {
            failures += Step() ? 0 : 1;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 500; i++)
        {
            failures += Step() ? 0 : 1;
        }

        var allocatedBySpanApis = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, failures);
        Assert.Equal(0, allocatedBySpanApis);

        int ArrayStep()
        {
            if (!encoder.TryEncode(WireMessageType.PfKey, payload, out byte[]? array, out _))
            {
                return -1;
            }

            var buffer = new ReadOnlySequence<byte>(array);
            return reader.TryRead(ref buffer, out var decoded, out _) == FrameReadStatus.Frame ? array.Length + decoded.Plaintext.Length : -1;
        }

        var expected = ArrayStep();
        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            failures += ArrayStep() == expected ? 0 : 1;
        }

        var allocatedByArrayApis = (GC.GetAllocatedBytesForCurrentThread() - before) / 100.0;
        Assert.Equal(0, failures);

        // The frame and the plaintext arrays with their object headers, nothing else.
        Assert.InRange(allocatedByArrayApis, expected, expected + 64);
    }
}
