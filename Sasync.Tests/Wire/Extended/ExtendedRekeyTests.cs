using Sasync.Core.Net;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Tests.Wire.Extended;

public class ExtendedRekeyTests
{
    [Fact]
    public void After_RekeyAfterFrames_frames_the_sender_moves_to_the_next_generation_and_the_receiver_follows()
    {
        var session = new ExtendedTestSession(30, new ExtendedChannelOptions { RekeyAfterFrames = 3 });
        var generations = new List<uint>();

        for (var i = 0; i < 10; i++)
        {
            var frame = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, [(byte)i]);
            generations.Add(new ExtendedFrameHeaderReader(frame).Generation);
            var opened = ExtendedTestSession.Open(session.AcceptorDecoder, frame);
            Assert.Equal(FrameDecodeStatus.Frame, opened.Status);
            Assert.Equal([(byte)i], opened.Plaintext);
        }

        Assert.Equal([0u, 0, 0, 1, 1, 1, 2, 2, 2, 3], generations);
        Assert.Equal(3u, session.AcceptorDecoder.Generation);
        Assert.Equal(10UL, session.AcceptorDecoder.NextSequence);
    }

    [Fact]
    public void After_RekeyAfterBytes_plaintext_bytes_the_sender_rekeys()
    {
        var session = new ExtendedTestSession(31, new ExtendedChannelOptions { RekeyAfterBytes = 1000 });
        var generations = new List<uint>();

        for (var i = 0; i < 6; i++)
        {
            var frame = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, new byte[400]);
            generations.Add(new ExtendedFrameHeaderReader(frame).Generation);
            Assert.Equal(FrameDecodeStatus.Frame, ExtendedTestSession.Open(session.AcceptorDecoder, frame).Status);
        }

        // 400 + 400 + 400 reaches 1000 after the third frame.
        Assert.Equal([0u, 0, 0, 1, 1, 1], generations);
    }

    [Fact]
    public void The_next_key_is_HKDF_Expand_of_the_current_key_with_the_label_rekey()
    {
        var session = new ExtendedTestSession(32, new ExtendedChannelOptions { RekeyAfterFrames = 1 });
        ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, [1]);
        var second = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, [2]);
        var next = System.Security.Cryptography.HKDF.Expand(
            System.Security.Cryptography.HashAlgorithmName.SHA256, session.Secrets.TrafficKey(true).ToArray(), 32, "rekey"u8.ToArray());

        // A decoder that starts at generation 1 with that key opens the second frame.
        var decoder = new ExtendedFrameDecoder(next, session.Secrets.NonceSalt(true), ExtendedChannelOptions.Default, generation: 1, nextSequence: 1);

        Assert.Equal(FrameDecodeStatus.Frame, ExtendedTestSession.Open(decoder, second).Status);
    }

    [Fact]
    public void A_frame_of_the_previous_generation_is_refused_once_the_receiver_has_moved_on()
    {
        var session = new ExtendedTestSession(33, new ExtendedChannelOptions { RekeyAfterFrames = 2 });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(FrameDecodeStatus.Frame, ExtendedTestSession.Open(session.AcceptorDecoder,
                ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, [(byte)i])).Status);
        }

        // Someone who still holds the generation-0 key seals the right next sequence number under it.
        var stale = new ExtendedFrameEncoder(session.Secrets.TrafficKey(true), session.Secrets.NonceSalt(true), ExtendedChannelOptions.Default, generation: 0, nextSequence: 3);
        var frame = ExtendedTestSession.Seal(stale, WireMessageType.PfKey, [3]);

        var result = ExtendedTestSession.Open(session.AcceptorDecoder, frame);

        Assert.Equal(FrameDecodeStatus.Fatal, result.Status);
        Assert.Equal(FrameError.ExtendedGeneration, result.Error);
    }

    [Fact]
    public void A_generation_two_ahead_is_refused()
    {
        var session = new ExtendedTestSession(34);
        var key = session.Secrets.TrafficKey(true).ToArray();
        var next = new byte[32];
        ExtendedKeySchedule.NextTrafficKey(key, next);
        ExtendedKeySchedule.NextTrafficKey(next, key);
        // A correctly sealed frame under the generation-2 key: valid tag, but a generation the receiver cannot be at.
        var ahead = new ExtendedFrameEncoder(key, session.Secrets.NonceSalt(true), ExtendedChannelOptions.Default, generation: 2);

        var result = ExtendedTestSession.Open(session.AcceptorDecoder, ExtendedTestSession.Seal(ahead, WireMessageType.PfKey, [1]));

        Assert.Equal(FrameError.ExtendedGeneration, result.Error);
    }

    [Fact]
    public void Sequence_numbers_run_on_across_a_rekey()
    {
        var session = new ExtendedTestSession(35, new ExtendedChannelOptions { RekeyAfterFrames = 2 });
        var sequences = Enumerable.Range(0, 5)
            .Select(_ => new ExtendedFrameHeaderReader(ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, [0])).Sequence)
            .ToArray();

        Assert.Equal([0UL, 1, 2, 3, 4], sequences);
    }

    /// <summary>The header fields of a sealed frame, read independently of the decoder.</summary>
    private readonly struct ExtendedFrameHeaderReader(byte[] frame)
    {
        public uint Generation => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(8));
        public ulong Sequence => System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(12));
    }
}
