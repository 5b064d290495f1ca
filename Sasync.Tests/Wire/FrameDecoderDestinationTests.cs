using System.Buffers;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

/// <summary>
/// Decoding into a caller buffer: straight into it when it holds the ciphertext, through the decoder's scratch
/// when it holds only the plaintext; the same plaintext either way, and nothing of a refused frame left behind.
/// </summary>
public class FrameDecoderDestinationTests
{
    private const byte Untouched = 0xAA;

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    [InlineData(200)]
    [InlineData(208)]
    [InlineData(4095)]
    public void A_destination_of_the_plaintext_or_of_the_ciphertext_gets_the_same_plaintext_and_nothing_past_the_ciphertext(int size)
    {
        var key = FrameRoundTripTests.KeyOf(32);
        var plaintext = new byte[size];
        new Random(size).NextBytes(plaintext);
        Assert.True(new FrameEncoder(key).TryEncode(WireMessageType.PfKey, plaintext, out byte[]? frame, out _));
        var decoder = new FrameDecoder(key);
        var ciphertextLength = FrameLayout.CiphertextLengthFor(size);

        foreach (var length in new[] { size, ciphertextLength, ciphertextLength + 40 })
        {
            var destination = Filled(length + 8);
            Assert.True(decoder.TryDecode(frame, destination.AsSpan(0, length), out var header, out var error), error.Describe());
            Assert.Equal(plaintext, destination[..header.PlaintextLength]);
            var used = Math.Min(length, ciphertextLength);
            Assert.All(destination[size..used], b => Assert.Equal(0, b));
            Assert.All(destination[used..], b => Assert.Equal(Untouched, b));
        }
    }

    [Fact]
    public void A_refused_frame_leaves_no_decrypted_bytes_in_the_destination()
    {
        var key = FrameRoundTripTests.KeyOf(16);
        var plaintext = new byte[100];
        new Random(3).NextBytes(plaintext);
        Assert.True(new FrameEncoder(key).TryEncode(WireMessageType.PfKey, plaintext, out byte[]? frame, out _));
        frame[FrameLayout.HashOffset] ^= 1;
        var ciphertextLength = FrameLayout.CiphertextLengthFor(plaintext.Length);

        foreach (var length in new[] { plaintext.Length, ciphertextLength })
        {
            var destination = Filled(ciphertextLength + 8);
            Assert.False(new FrameDecoder(key).TryDecode(frame, destination.AsSpan(0, length), out _, out var error));
            Assert.Equal(FrameError.HashMismatch, error);
            // Straight into the destination: the decrypted bytes are wiped; through the scratch: never written.
            Assert.All(destination[..length], b => Assert.Equal(length == ciphertextLength ? 0 : Untouched, b));
            Assert.All(destination[length..], b => Assert.Equal(Untouched, b));
        }
    }

    [Fact]
    public void A_frame_decoded_over_its_own_bytes_still_reads_right()
    {
        var key = FrameRoundTripTests.KeyOf(24);
        var plaintext = new byte[208];
        new Random(4).NextBytes(plaintext);
        Assert.True(new FrameEncoder(key).TryEncode(WireMessageType.PfKey, plaintext, out byte[]? frame, out _));
        var buffer = new ReadOnlySequence<byte>(frame);

        var status = new FrameReader(new FrameDecoder(key)).TryRead(ref buffer, frame, out var header, out var error);

        Assert.Equal(FrameReadStatus.Frame, status);
        Assert.Equal(FrameError.None, error);
        Assert.Equal(plaintext, frame[..header.PlaintextLength]);
    }

    private static byte[] Filled(int length)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill(Untouched);
        return bytes;
    }
}
