using System.Buffers;
using System.Buffers.Binary;
using Sasync.Core.Net;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Tests.Wire.Extended;

public class ExtendedFrameRoundTripTests
{
    [Fact]
    public void Every_size_from_1_to_4096_round_trips_both_ways_in_order()
    {
        var session = new ExtendedTestSession(1);
        var plaintext = ExtendedTestSession.Bytes(new Random(2), 4096);
        for (var size = 1; size <= 4096; size++)
        {
            var type = (WireMessageType)(size % 2);
            var fromDialler = ExtendedTestSession.Seal(session.DiallerEncoder, type, plaintext.AsSpan(0, size));
            var fromAcceptor = ExtendedTestSession.Seal(session.AcceptorEncoder, type, plaintext.AsSpan(4096 - size));

            var buffer = new ReadOnlySequence<byte>(fromDialler);
            Assert.Equal(FrameDecodeStatus.Frame, session.AcceptorDecoder.TryDecode(ref buffer, out var decodedType, out var decoded, out var error));
            Assert.Equal(FrameError.None, error);
            Assert.Equal(type, decodedType);
            Assert.Equal(plaintext.AsSpan(0, size).ToArray(), decoded);
            Assert.True(buffer.IsEmpty);

            var reply = ExtendedTestSession.Open(session.DiallerDecoder, fromAcceptor);
            Assert.Equal(FrameDecodeStatus.Frame, reply.Status);
            Assert.Equal(plaintext.AsSpan(4096 - size).ToArray(), reply.Plaintext);
        }

        Assert.Equal(4096UL, session.AcceptorDecoder.NextSequence);
        Assert.Equal(4096UL, session.DiallerEncoder.NextSequence);
    }

    [Fact]
    public void Through_the_network_interface_a_frame_opens_into_the_caller_buffer_when_it_fits_and_into_its_own_array_when_not()
    {
        var session = new ExtendedTestSession(6);
        var random = new Random(7);
        IFrameDecoder decoder = session.AcceptorDecoder;
        var slab = new byte[512];
        foreach (var size in new[] { 12, 208, 512, 513, 4096 })
        {
            var plaintext = ExtendedTestSession.Bytes(random, size);
            var buffer = new ReadOnlySequence<byte>(ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, plaintext));

            Assert.Equal(FrameDecodeStatus.Frame, decoder.TryDecode(ref buffer, slab, out var type, out var decoded, out var error));

            Assert.Equal(FrameError.None, error);
            Assert.Equal(WireMessageType.PfKey, type);
            Assert.Equal(plaintext, decoded.ToArray());
            Assert.Equal(size <= slab.Length, decoded.Span.Overlaps(slab));
            Assert.True(buffer.IsEmpty);
        }

        // A replay through the same path is refused like any other.
        var first = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, [1, 2, 3]);
        var again = new ReadOnlySequence<byte>(first);
        Assert.Equal(FrameDecodeStatus.Frame, decoder.TryDecode(ref again, slab, out _, out _, out _));
        again = new ReadOnlySequence<byte>(first);
        Assert.Equal(FrameDecodeStatus.Fatal, decoder.TryDecode(ref again, slab, out _, out _, out var replayed));
        Assert.Equal(FrameError.ExtendedSequence, replayed);
    }

    [Fact]
    public void The_header_is_type_length_generation_sequence_big_endian_and_the_ciphertext_is_not_the_plaintext()
    {
        var session = new ExtendedTestSession(3);
        var plaintext = new byte[208];
        ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, plaintext);
        var frame = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, plaintext);

        Assert.Equal(20 + 208 + 16, frame.Length);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(frame));
        Assert.Equal(208u, BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(8)));
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(12)));
        Assert.Contains(frame.AsSpan(20, 208).ToArray(), b => b != 0);
    }

    [Fact]
    public void Frames_split_anywhere_and_several_per_buffer_come_out_in_order()
    {
        var session = new ExtendedTestSession(4);
        var random = new Random(5);
        var sent = Enumerable.Range(0, 40).Select(i => ExtendedTestSession.Bytes(random, 1 + random.Next(300))).ToList();
        var stream = sent.SelectMany(p => ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, p)).ToArray();
        var cuts = Enumerable.Range(0, 60).Select(_ => random.Next(stream.Length)).ToArray();
        var pieces = SegmentedSequence.SplitAt(stream, cuts);

        var received = new List<byte[]>();
        // Feed the stream as a reader would: a growing prefix, consumed frame by frame.
        var consumed = 0L;
        foreach (var end in cuts.Order().Append(stream.Length))
        {
            var buffer = pieces.Slice(consumed, end - consumed);
            FrameDecodeStatus status;
            while ((status = session.AcceptorDecoder.TryDecode(ref buffer, out _, out var plaintext, out var error)) == FrameDecodeStatus.Frame)
            {
                received.Add(plaintext);
            }

            Assert.Equal(FrameDecodeStatus.NeedMoreData, status);
            consumed = end - buffer.Length;
        }

        Assert.Equal(sent, received);
    }

    [Fact]
    public void A_frame_reflected_back_to_its_sender_is_refused_since_each_direction_has_its_own_key()
    {
        var session = new ExtendedTestSession(6);
        var frame = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.Control, new byte[12]);

        var result = ExtendedTestSession.Open(session.DiallerDecoder, frame);

        Assert.Equal(FrameDecodeStatus.Fatal, result.Status);
        Assert.Equal(FrameError.ExtendedTag, result.Error);
        Assert.False(session.Secrets.TrafficKey(true).SequenceEqual(session.Secrets.TrafficKey(false)));
        Assert.False(session.Secrets.NonceSalt(true).SequenceEqual(session.Secrets.NonceSalt(false)));
    }

    [Theory]
    [InlineData(0, FrameError.PlaintextTooShort)]
    [InlineData(4097, FrameError.PlaintextTooLong)]
    public void A_plaintext_outside_1_to_the_maximum_is_not_sent_and_uses_no_sequence_number(int size, FrameError expected)
    {
        var session = new ExtendedTestSession(7);
        var destination = new byte[8192];

        Assert.False(session.DiallerEncoder.TryEncode(WireMessageType.PfKey, new byte[size], destination, out var written, out var error));
        Assert.Equal(expected, error);
        Assert.Equal(0, written);
        Assert.Equal(0UL, session.DiallerEncoder.NextSequence);
        var writer = new ArrayBufferWriter<byte>();
        Assert.False(session.DiallerEncoder.TryEncode(WireMessageType.PfKey, new byte[size], writer, out string message));
        Assert.Equal(expected.Describe(), message);
        Assert.Equal(0, writer.WrittenCount);
        Assert.False(ExtendedFrameEncoder.TryGetFrameLength((WireMessageType)2, 12, session.Options, out _, out var typeError));
        Assert.Equal(FrameError.BadType, typeError);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(4097u)]
    [InlineData(0x7fffffffu)]
    [InlineData(uint.MaxValue)]
    public void A_bad_length_is_fatal_after_its_8_bytes_before_the_body_is_waited_for(uint length)
    {
        var session = new ExtendedTestSession(8);
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, 1);
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(4), length);

        var result = ExtendedTestSession.Open(session.AcceptorDecoder, prefix);

        Assert.Equal(FrameDecodeStatus.Fatal, result.Status);
        Assert.Equal(FrameError.BadLength, result.Error);
    }

    [Fact]
    public void A_bad_type_is_fatal_after_4_bytes_and_every_later_call_answers_the_same()
    {
        var session = new ExtendedTestSession(9);
        var good = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.Control, new byte[12]);

        Assert.Equal(FrameError.BadType, ExtendedTestSession.Open(session.AcceptorDecoder, [0, 0, 0, 2]).Error);
        var after = ExtendedTestSession.Open(session.AcceptorDecoder, good);

        Assert.Equal(FrameDecodeStatus.Fatal, after.Status);
        Assert.Equal(FrameError.BadType, after.Error);
        Assert.Equal(FrameError.BadType, session.AcceptorDecoder.Failure);
    }

    [Fact]
    public void A_partial_frame_waits_and_leaves_the_buffer_alone()
    {
        var session = new ExtendedTestSession(10);
        var frame = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, new byte[100]);

        for (var length = 0; length < frame.Length; length += 7)
        {
            var buffer = new ReadOnlySequence<byte>(frame, 0, length);
            Assert.Equal(FrameDecodeStatus.NeedMoreData, session.AcceptorDecoder.TryDecode(ref buffer, out _, out _, out var error));
            Assert.Equal(length, buffer.Length);
            Assert.Equal(FrameError.None, error);
        }

        Assert.Equal(FrameDecodeStatus.Frame, ExtendedTestSession.Open(session.AcceptorDecoder, frame).Status);
    }

    [Fact]
    public void A_smaller_maximum_is_enforced_by_both_ends()
    {
        var options = new ExtendedChannelOptions { MaxPlaintextLength = 100 };
        var small = new ExtendedTestSession(11, options);
        var large = new ExtendedTestSession(11);

        Assert.False(small.DiallerEncoder.TryEncode(WireMessageType.PfKey, new byte[101], new byte[200], out _, out var error));
        Assert.Equal(FrameError.PlaintextTooLong, error);
        var frame = ExtendedTestSession.Seal(large.DiallerEncoder, WireMessageType.PfKey, new byte[101]);
        Assert.Equal(FrameError.BadLength, ExtendedTestSession.Open(small.AcceptorDecoder, frame).Error);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExtendedChannelOptions { MaxPlaintextLength = FrameLimits.AbsoluteMaxCiphertextLength + 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExtendedChannelOptions { RekeyAfterFrames = 0 });
    }

    [Fact]
    public void The_span_api_opens_one_whole_frame_and_refuses_a_short_destination_without_ending_the_stream()
    {
        var session = new ExtendedTestSession(12);
        var payload = ExtendedTestSession.Bytes(new Random(13), 208);
        var frame = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, payload);
        var destination = new byte[4096];

        Assert.False(session.AcceptorDecoder.TryDecode(frame, new byte[207], out _, out var error));
        Assert.Equal(FrameError.DestinationTooSmall, error);
        Assert.False(session.AcceptorDecoder.TryDecode(frame.AsSpan(0, frame.Length - 1), destination, out _, out error));
        Assert.Equal(FrameError.Truncated, error);
        Assert.False(session.AcceptorDecoder.TryDecode([.. frame, 0], destination, out _, out error));
        Assert.Equal(FrameError.TrailingBytes, error);

        Assert.True(session.AcceptorDecoder.TryDecode(frame, destination, out var header, out error));
        Assert.Equal(new ExtendedFrameHeader(WireMessageType.PfKey, 208, 0, 0), header);
        Assert.Equal(payload, destination.AsSpan(0, 208).ToArray());
    }
}
