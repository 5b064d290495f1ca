using System.Buffers;
using Sasync.Core.Net;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Tests.Wire.Extended;

public class ExtendedFrameLimitTests
{
    [Fact]
    public void The_encoder_stops_before_the_last_key_generation_would_wrap()
    {
        var key = new byte[32];
        var encoder = new ExtendedFrameEncoder(key, new byte[4], new ExtendedChannelOptions { RekeyAfterFrames = 1 }, generation: uint.MaxValue);
        var frame = new byte[100];

        Assert.True(encoder.TryEncode(WireMessageType.PfKey, [1], frame, out _, out _));
        Assert.False(encoder.TryEncode(WireMessageType.PfKey, [2], frame, out _, out var error));
        Assert.Equal(FrameError.ExtendedExhausted, error);
        Assert.Equal(1UL, encoder.NextSequence);
    }

    [Fact]
    public void The_last_sequence_number_is_never_used_by_either_end()
    {
        var key = new byte[32];
        var encoder = new ExtendedFrameEncoder(key, new byte[4], ExtendedChannelOptions.Default, nextSequence: ulong.MaxValue);
        Assert.False(encoder.TryEncode(WireMessageType.PfKey, [1], new byte[100], out _, out var error));
        Assert.Equal(FrameError.ExtendedExhausted, error);

        var sealer = new ExtendedFrameEncoder(key, new byte[4], ExtendedChannelOptions.Default, nextSequence: ulong.MaxValue - 1);
        var decoder = new ExtendedFrameDecoder(key, new byte[4], ExtendedChannelOptions.Default, nextSequence: ulong.MaxValue - 1);
        Assert.Equal(FrameDecodeStatus.Frame, ExtendedTestSession.Open(decoder, ExtendedTestSession.Seal(sealer, WireMessageType.PfKey, [1])).Status);
        Assert.Equal(ulong.MaxValue, decoder.NextSequence);
    }

    [Fact]
    public void Random_bytes_never_open_never_throw_and_end_the_stream_within_one_header()
    {
        var session = new ExtendedTestSession(80);
        var random = new Random(81);
        for (var round = 0; round < 2000; round++)
        {
            var decoder = new ExtendedFrameDecoder(session.Secrets, weAreDialler: false, session.Options);
            var junk = ExtendedTestSession.Bytes(random, random.Next(round % 2 == 0 ? 8 : 1, 5000));
            if (round % 2 == 0)
            {
                // A plausible header (control or PF_KEY, a length in range) so the AEAD is reached, not only the field checks.
                junk[0] = junk[1] = junk[2] = 0;
                junk[3] &= 1;
                junk[4] = junk[5] = 0;
                junk[6] &= 0x0f;
            }

            var buffer = new ReadOnlySequence<byte>(junk);
            var status = decoder.TryDecode(ref buffer, out _, out var plaintext, out var error);

            Assert.NotEqual(FrameDecodeStatus.Frame, status);
            Assert.Empty(plaintext);
            Assert.Equal(junk.Length, buffer.Length);
            if (status == FrameDecodeStatus.Fatal)
            {
                Assert.NotEqual(FrameError.None, error);
            }
        }
    }

    [Fact]
    public void A_frame_split_across_segments_is_joined_and_opened()
    {
        var session = new ExtendedTestSession(82);
        var payload = ExtendedTestSession.Bytes(new Random(83), 4096);
        var frame = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, payload);
        var buffer = SegmentedSequence.SplitAt(frame, 3, 19, 20, 100, 4000);

        Assert.Equal(FrameDecodeStatus.Frame, session.AcceptorDecoder.TryDecode(ref buffer, out _, out var plaintext, out _));
        Assert.Equal(payload, plaintext);
        Assert.True(buffer.IsEmpty);
    }
}
