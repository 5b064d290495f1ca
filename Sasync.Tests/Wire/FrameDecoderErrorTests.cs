using System.Buffers.Binary;
using Sasync.Core.Config;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

/// <summary>Each class of malformed frame gives its own error, never an exception.</summary>
public class FrameDecoderErrorTests
{
    private static readonly SharedKey Key = FrameRoundTripTests.KeyOf(16);

    private static byte[] FrameOf(int plaintextLength, WireMessageType type = WireMessageType.PfKey)
    {
        var plaintext = new byte[plaintextLength];
        new Random(plaintextLength).NextBytes(plaintext);
        Assert.True(new FrameEncoder(Key).TryEncode(type, plaintext, out byte[]? frame, out _));
        return frame;
    }

    private static FrameError Decode(byte[] frame, SharedKey? key = null, FrameLimits? limits = null)
    {
        var ok = new FrameDecoder(key ?? Key, limits).TryDecode(frame, out _, out var error);
        Assert.Equal(ok, error == FrameError.None);
        return error;
    }

    private static byte[] WithField(byte[] frame, int offset, uint value)
    {
        var copy = (byte[])frame.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), value);
        return copy;
    }

    [Theory]
    [InlineData(12)]
    [InlineData(40)]
    [InlineData(4096)]
    public void A_frame_cut_anywhere_is_truncated(int plaintextLength)
    {
        var frame = FrameOf(plaintextLength);
        for (var length = 0; length < frame.Length; length++)
        {
            Assert.Equal(FrameError.Truncated, Decode(frame[..length]));
        }

        Assert.Equal(FrameError.None, Decode(frame));
    }

    [Fact]
    public void Bytes_after_the_frame_are_refused()
    {
        Assert.Equal(FrameError.TrailingBytes, Decode([.. FrameOf(16), 0]));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(43u)]
    [InlineData(44u)] // an empty ciphertext (the raw-0 vector)
    [InlineData(44u + 8)] // below MSG_MINLEN
    [InlineData(44u + 4112)] // above MSG_MAXLEN (the raw-4097 vector)
    [InlineData(0x7fffffffu)]
    [InlineData(uint.MaxValue)]
    public void A_length_field_outside_the_limits_is_a_bad_length_seen_from_its_4_bytes(uint length)
    {
        var frame = WithField(FrameOf(16), FrameLayout.LengthOffset, length);

        Assert.Equal(FrameError.BadLength, Decode(frame));
        Assert.Equal(FrameError.BadLength, Decode(frame[..4]));
    }

    [Theory]
    [InlineData(12)] // MSG_MINLEN itself is no whole number of blocks
    [InlineData(20)]
    [InlineData(4095)]
    public void A_ciphertext_that_is_no_whole_number_of_blocks_is_refused(int ciphertextLength)
    {
        var frame = WithField(FrameOf(16), FrameLayout.LengthOffset, (uint)(FrameLayout.LengthFieldOverhead + ciphertextLength));

        Assert.Equal(FrameError.BadCiphertextLength, Decode(frame));
    }

    [Theory]
    [InlineData(2u)]
    [InlineData(3u)]
    [InlineData(uint.MaxValue)]
    public void A_type_above_1_is_a_bad_type(uint type)
    {
        var frame = WithField(FrameOf(16), FrameLayout.TypeOffset, type);

        Assert.Equal(FrameError.BadType, Decode(frame));
        Assert.Equal(FrameError.BadType, Decode(frame[..8]));
    }

    [Theory]
    [InlineData(16u)]
    [InlineData(17u)] // wraps the length and crashes the original
    [InlineData(uint.MaxValue)]
    public void A_pad_length_above_15_is_bad_padding(uint padLength)
    {
        var frame = WithField(FrameOf(16), FrameLayout.PadLengthOffset, padLength);

        Assert.Equal(FrameError.BadPadLength, Decode(frame));
        Assert.Equal(FrameError.BadPadLength, Decode(frame[..12]));
    }

    [Fact]
    public void A_wrong_pad_length_within_range_fails_the_hash()
    {
        Assert.Equal(FrameError.HashMismatch, Decode(WithField(FrameOf(12), FrameLayout.PadLengthOffset, 3)));
        Assert.Equal(FrameError.HashMismatch, Decode(WithField(FrameOf(16), FrameLayout.PadLengthOffset, 1)));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void A_frame_under_another_key_is_a_hash_mismatch(int keyLength)
    {
        foreach (var size in new[] { 12, 16, 208, 4096 })
        {
            Assert.Equal(FrameError.HashMismatch, Decode(FrameOf(size), FrameRoundTripTests.KeyOf(keyLength, seed: 2)));
        }
    }

    [Fact]
    public void Any_flipped_bit_in_the_hash_or_the_ciphertext_is_a_hash_mismatch()
    {
        foreach (var size in new[] { 12, 40 })
        {
            var frame = FrameOf(size);
            for (var bit = FrameLayout.HashOffset * 8; bit < frame.Length * 8; bit++)
            {
                if (bit is >= FrameLayout.IvOffset * 8 and < FrameLayout.CiphertextOffset * 8)
                {
                    continue;
                }

                Assert.Equal(FrameError.HashMismatch, Decode(FlipBit(frame, bit)));
            }
        }
    }

    [Fact]
    public void A_flipped_iv_bit_is_a_hash_mismatch_over_plaintext_and_bad_pad_bytes_over_padding()
    {
        // 12 plaintext bytes then 4 pad bytes in the first (and only) block: the IV's bytes 12..15 only touch the padding.
        var frame = FrameOf(12);
        for (var bit = 0; bit < FrameLayout.IvSize * 8; bit++)
        {
            var expected = bit / 8 < 12 ? FrameError.HashMismatch : FrameError.BadPadBytes;
            Assert.Equal(expected, Decode(FlipBit(frame, (FrameLayout.IvOffset * 8) + bit)));
        }
    }

    [Fact]
    public void Limits_can_be_tightened()
    {
        var limits = new FrameLimits(minCiphertextLength: 16, maxCiphertextLength: 64, maxMessageType: 0);

        Assert.Equal(FrameError.BadLength, Decode(FrameOf(65, WireMessageType.Control), limits: limits));
        Assert.Equal(FrameError.BadType, Decode(FrameOf(64, WireMessageType.PfKey), limits: limits));
        Assert.Equal(FrameError.None, Decode(FrameOf(64, WireMessageType.Control), limits: limits));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameLimits(0, FrameLimits.AbsoluteMaxCiphertextLength + 1, 1));
    }

    [Fact]
    public void Random_mutations_never_throw_and_are_almost_never_accepted()
    {
        var random = new Random(7);
        var decoder = new FrameDecoder(Key);
        var originals = new[] { FrameOf(12, WireMessageType.Control), FrameOf(208), FrameOf(4096) };
        var accepted = 0;
        for (var i = 0; i < 3000; i++)
        {
            var frame = (byte[])originals[i % originals.Length].Clone();
            var mutations = 1 + random.Next(4);
            for (var m = 0; m < mutations; m++)
            {
                frame[random.Next(frame.Length)] ^= (byte)(1 + random.Next(255));
            }

            if (random.Next(4) == 0)
            {
                frame = frame[..random.Next(frame.Length)];
            }

            accepted += decoder.TryDecode(frame, out _, out _) ? 1 : 0;
        }

        Assert.Equal(0, accepted);
    }

    [Fact]
    public void Every_error_has_its_own_message()
    {
        var errors = Enum.GetValues<FrameError>();

        Assert.Equal(errors.Length, errors.Select(e => e.Describe()).Distinct().Count());
    }

    private static byte[] FlipBit(byte[] frame, int bit)
    {
        var copy = (byte[])frame.Clone();
        copy[bit / 8] ^= (byte)(0x80 >> (bit % 8));
        return copy;
    }
}
