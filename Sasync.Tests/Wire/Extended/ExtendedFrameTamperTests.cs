using Sasync.Core.Net;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Tests.Wire.Extended;

public class ExtendedFrameTamperTests
{
    [Theory]
    [InlineData(12)]
    [InlineData(208)]
    public void Every_single_bit_flip_anywhere_in_a_frame_is_refused(int size)
    {
        var session = new ExtendedTestSession(20);
        var payload = ExtendedTestSession.Bytes(new Random(size), size);
        // A second frame after the altered one, so that a length flipped upwards still finds enough bytes.
        var first = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, payload);
        var next = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, new byte[4096]);
        var reasons = new HashSet<FrameError>();

        for (var bit = 0; bit < first.Length * 8; bit++)
        {
            var decoder = new ExtendedFrameDecoder(session.Secrets, weAreDialler: false, session.Options);
            var altered = (byte[])first.Clone();
            altered[bit / 8] ^= (byte)(0x80 >> (bit % 8));
            var buffer = new System.Buffers.ReadOnlySequence<byte>([.. altered, .. next]);

            var status = decoder.TryDecode(ref buffer, out _, out var plaintext, out var error);

            Assert.True(status == FrameDecodeStatus.Fatal, $"bit {bit}: {status}");
            Assert.Empty(plaintext);
            reasons.Add(error);
        }

        FrameError[] expected = [FrameError.BadType, FrameError.BadLength, FrameError.ExtendedTag, FrameError.ExtendedSequence, FrameError.ExtendedGeneration];
        Assert.Equal(expected.Order(), reasons.Order());
    }

    [Fact]
    public void A_captured_frame_sent_again_on_the_same_session_is_refused_as_a_repeat()
    {
        var session = new ExtendedTestSession(21);
        var flush = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, new byte[16]);
        var later = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, new byte[32]);

        Assert.Equal(FrameDecodeStatus.Frame, ExtendedTestSession.Open(session.AcceptorDecoder, flush).Status);
        Assert.Equal(FrameDecodeStatus.Frame, ExtendedTestSession.Open(session.AcceptorDecoder, later).Status);
        var replay = ExtendedTestSession.Open(session.AcceptorDecoder, flush);

        Assert.Equal(FrameDecodeStatus.Fatal, replay.Status);
        Assert.Equal(FrameError.ExtendedSequence, replay.Error);
    }

    [Fact]
    public void A_frame_repeated_at_once_is_refused()
    {
        var session = new ExtendedTestSession(22);
        var frame = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.Control, new byte[12]);

        Assert.Equal(FrameDecodeStatus.Frame, ExtendedTestSession.Open(session.AcceptorDecoder, frame).Status);
        Assert.Equal(FrameError.ExtendedSequence, ExtendedTestSession.Open(session.AcceptorDecoder, frame).Error);
    }

    [Fact]
    public void A_frame_captured_on_another_session_with_the_same_shared_key_is_refused_even_at_the_same_sequence_number()
    {
        var captured = new ExtendedTestSession(23);
        var frames = Enumerable.Range(0, 3).Select(i => ExtendedTestSession.Seal(captured.DiallerEncoder, WireMessageType.PfKey, new byte[64])).ToArray();
        // The same key, new hellos (new nonces): another session.
        var random = new Random(24);
        var secrets = ExtendedKeySchedule.Derive(captured.SharedKey, ExtendedTestSession.Bytes(random, 60), ExtendedTestSession.Bytes(random, 60));

        for (var i = 0; i < frames.Length; i++)
        {
            var decoder = new ExtendedFrameDecoder(secrets, weAreDialler: false, ExtendedChannelOptions.Default);
            // Bring the victim's decoder to the captured frame's sequence number with frames of its own session.
            var other = new ExtendedFrameEncoder(secrets, weAreDialler: true, ExtendedChannelOptions.Default);
            for (var j = 0; j < i; j++)
            {
                Assert.Equal(FrameDecodeStatus.Frame, ExtendedTestSession.Open(decoder, ExtendedTestSession.Seal(other, WireMessageType.PfKey, new byte[64])).Status);
            }

            var replay = ExtendedTestSession.Open(decoder, frames[i]);
            Assert.Equal(FrameDecodeStatus.Fatal, replay.Status);
            Assert.Equal(FrameError.ExtendedTag, replay.Error);
        }
    }

    [Fact]
    public void A_gap_in_the_sequence_is_refused_and_ends_the_stream()
    {
        var session = new ExtendedTestSession(25);
        var frames = Enumerable.Range(0, 3).Select(i => ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, new byte[40])).ToArray();

        Assert.Equal(FrameDecodeStatus.Frame, ExtendedTestSession.Open(session.AcceptorDecoder, frames[0]).Status);
        var skipped = ExtendedTestSession.Open(session.AcceptorDecoder, frames[2]);
        Assert.Equal(FrameDecodeStatus.Fatal, skipped.Status);
        Assert.Equal(FrameError.ExtendedSequence, skipped.Error);
        // The missing frame arriving late does not revive the stream.
        Assert.Equal(FrameError.ExtendedSequence, ExtendedTestSession.Open(session.AcceptorDecoder, frames[1]).Error);
    }

    [Fact]
    public void A_frame_with_a_forged_header_moving_to_the_next_generation_leaves_no_new_key_behind()
    {
        var session = new ExtendedTestSession(26);
        var frame = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, new byte[40]);
        frame[ExtendedFrameLayout.GenerationOffset + 3] = 1;

        var result = ExtendedTestSession.Open(session.AcceptorDecoder, frame);

        Assert.Equal(FrameError.ExtendedTag, result.Error);
        Assert.Equal(0u, session.AcceptorDecoder.Generation);
        Assert.Equal(0UL, session.AcceptorDecoder.NextSequence);
    }
}
