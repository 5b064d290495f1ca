using System.Buffers.Binary;
using System.Security.Cryptography;
using Sasync.Core.Wire.Extended;

namespace Sasync.Tests.Wire.Extended;

public class ExtendedKeyScheduleTests
{
    [Fact]
    public void The_transcript_hash_is_SHA256_over_the_label_and_both_length_prefixed_hellos()
    {
        var session = new ExtendedTestSession(40);
        var input = new List<byte>();
        input.AddRange("sasyncd-cs extended channel v1 transcript"u8.ToArray());
        input.AddRange(LengthOf(session.DiallerHello));
        input.AddRange(session.DiallerHello);
        input.AddRange(LengthOf(session.AcceptorHello));
        input.AddRange(session.AcceptorHello);

        Assert.Equal(SHA256.HashData(input.ToArray()), session.Secrets.TranscriptHash.ToArray());
    }

    [Fact]
    public void Keys_and_salts_are_HKDF_SHA256_with_the_transcript_as_salt_and_the_shared_key_as_input()
    {
        var session = new ExtendedTestSession(41);
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, session.SharedKey, session.Secrets.TranscriptHash.ToArray());
        byte[] Expand(int length, string label) => HKDF.Expand(HashAlgorithmName.SHA256, prk, length, System.Text.Encoding.ASCII.GetBytes(label));

        Assert.Equal(Expand(32, "sasyncd-cs v1 traffic key dialler to acceptor"), session.Secrets.TrafficKey(true).ToArray());
        Assert.Equal(Expand(32, "sasyncd-cs v1 traffic key acceptor to dialler"), session.Secrets.TrafficKey(false).ToArray());
        Assert.Equal(Expand(4, "sasyncd-cs v1 nonce salt dialler to acceptor"), session.Secrets.NonceSalt(true).ToArray());
        Assert.Equal(Expand(4, "sasyncd-cs v1 nonce salt acceptor to dialler"), session.Secrets.NonceSalt(false).ToArray());
        var confirm = Expand(32, "sasyncd-cs v1 confirm key");
        Assert.Equal(
            HMACSHA256.HashData(confirm, (byte[])[.. "sasyncd-cs v1 finished"u8.ToArray(), .. "acceptor"u8.ToArray(), .. session.Secrets.TranscriptHash.ToArray()]),
            session.Secrets.Finished(fromDialler: false));
    }

    [Fact]
    public void Both_ends_derive_the_same_secrets_and_each_verifies_the_others_Finished()
    {
        var session = new ExtendedTestSession(42);
        var peer = ExtendedKeySchedule.Derive(session.SharedKey, session.DiallerHello, session.AcceptorHello);

        Assert.True(peer.VerifyFinished(fromDialler: true, session.Secrets.Finished(fromDialler: true)));
        Assert.True(session.Secrets.VerifyFinished(fromDialler: false, peer.Finished(fromDialler: false)));
        Assert.Equal(session.Secrets.TrafficKey(true).ToArray(), peer.TrafficKey(true).ToArray());
    }

    [Fact]
    public void A_Finished_of_one_direction_does_not_verify_as_the_other_nor_cut_short()
    {
        var session = new ExtendedTestSession(43);
        var fromDialler = session.Secrets.Finished(fromDialler: true);

        Assert.NotEqual(fromDialler, session.Secrets.Finished(fromDialler: false));
        Assert.False(session.Secrets.VerifyFinished(fromDialler: false, fromDialler));
        Assert.False(session.Secrets.VerifyFinished(fromDialler: true, fromDialler.AsSpan(0, 31)));
        Assert.False(session.Secrets.VerifyFinished(fromDialler: true, []));
    }

    [Fact]
    public void Any_changed_hello_byte_makes_Finished_fail_and_changes_every_key()
    {
        var session = new ExtendedTestSession(44);
        var finished = session.Secrets.Finished(fromDialler: true);

        foreach (var diallerSide in new[] { true, false })
        {
            var hello = diallerSide ? session.DiallerHello : session.AcceptorHello;
            for (var i = 0; i < hello.Length; i++)
            {
                var changed = (byte[])hello.Clone();
                changed[i] ^= 0x01;
                var other = diallerSide
                    ? ExtendedKeySchedule.Derive(session.SharedKey, changed, session.AcceptorHello)
                    : ExtendedKeySchedule.Derive(session.SharedKey, session.DiallerHello, changed);

                Assert.False(other.VerifyFinished(fromDialler: true, finished), $"{(diallerSide ? "dialler" : "acceptor")} hello byte {i}");
                Assert.False(other.TrafficKey(true).SequenceEqual(session.Secrets.TrafficKey(true)));
                Assert.False(other.TrafficKey(false).SequenceEqual(session.Secrets.TrafficKey(false)));
            }
        }
    }

    [Fact]
    public void Hellos_that_are_cut_differently_swapped_or_shortened_give_another_transcript()
    {
        var key = new byte[32];
        var baseline = ExtendedKeySchedule.Derive(key, "ab"u8, "c"u8).TranscriptHash.ToArray();

        Assert.NotEqual(baseline, ExtendedKeySchedule.Derive(key, "a"u8, "bc"u8).TranscriptHash.ToArray());
        Assert.NotEqual(baseline, ExtendedKeySchedule.Derive(key, "c"u8, "ab"u8).TranscriptHash.ToArray());
        Assert.NotEqual(baseline, ExtendedKeySchedule.Derive(key, "ab"u8, "cd"u8).TranscriptHash.ToArray());
    }

    [Fact]
    public void Another_shared_key_gives_other_keys_and_a_Finished_that_does_not_verify()
    {
        var session = new ExtendedTestSession(45);
        var otherKey = (byte[])session.SharedKey.Clone();
        otherKey[^1] ^= 0x80;
        var other = ExtendedKeySchedule.Derive(otherKey, session.DiallerHello, session.AcceptorHello);

        Assert.Equal(session.Secrets.TranscriptHash.ToArray(), other.TranscriptHash.ToArray());
        Assert.False(other.VerifyFinished(fromDialler: true, session.Secrets.Finished(fromDialler: true)));
        Assert.False(other.TrafficKey(true).SequenceEqual(session.Secrets.TrafficKey(true)));
    }

    [Fact]
    public void An_empty_key_or_hello_and_an_oversized_hello_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ExtendedKeySchedule.Derive([], "a"u8, "b"u8));
        Assert.Throws<ArgumentException>(() => ExtendedKeySchedule.Derive(new byte[16], [], "b"u8));
        Assert.Throws<ArgumentException>(() => ExtendedKeySchedule.Derive(new byte[16], "a"u8, new byte[ExtendedKeySchedule.MaxHelloLength + 1]));
    }

    [Fact]
    public void Disposed_secrets_are_zeroed_and_refuse_to_be_used()
    {
        var session = new ExtendedTestSession(46);
        session.Secrets.Dispose();

        Assert.Throws<ObjectDisposedException>(() => session.Secrets.TrafficKey(true).Length);
        Assert.Throws<ObjectDisposedException>(() => session.Secrets.Finished(true));
        // What was made before goes on working on its own copies.
        var frame = ExtendedTestSession.Seal(session.DiallerEncoder, Sasync.Core.Wire.WireMessageType.Control, new byte[12]);
        Assert.Equal(Sasync.Core.Net.FrameDecodeStatus.Frame, ExtendedTestSession.Open(session.AcceptorDecoder, frame).Status);
    }

    private static byte[] LengthOf(byte[] hello)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)hello.Length);
        return length;
    }
}
