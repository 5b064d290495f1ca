using System.Buffers;
using Sasync.Core.Config;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

/// <summary>
/// The codec's AES-CBC (four blocks at a time on decode) and SHA-1 paths agree with an independent reference
/// on random frames both ways, on the recorded vectors, and on hostile frames.
/// </summary>
public class ReferenceFrameCodecTests
{
    public static TheoryData<int> KeyLengths => FrameRoundTripTests.KeyLengths;

    [Fact]
    public void The_reference_writes_and_reads_every_accepted_vector_exactly()
    {
        foreach (var vector in FrameVectors.All.Where(v => v.AcceptedByOriginal))
        {
            Assert.Equal(Convert.ToHexString(vector.Frame), Convert.ToHexString(ReferenceFrameCodec.Encode(vector.Key, vector.Iv, vector.Type, vector.Plaintext)));
            Assert.Equal(FrameError.None, ReferenceFrameCodec.Decode(vector.Key, vector.Frame, out var plaintext));
            Assert.Equal(vector.Plaintext, plaintext);
        }
    }

    [Theory]
    [MemberData(nameof(KeyLengths))]
    public void Random_frames_encoded_by_the_codec_are_the_references_bytes_and_each_decodes_the_others(int keyLength)
    {
        var random = new Random(1300 + keyLength);
        var key = new byte[keyLength];
        random.NextBytes(key);
        var ivs = Enumerable.Range(0, 300).Select(_ => RandomBytes(random, FrameLayout.IvSize)).ToArray();
        var encoder = new FrameEncoder(new SharedKey(key), new FixedIvSource(ivs));
        var decoder = new FrameDecoder(new SharedKey(key));
        var destination = new byte[4096];

        foreach (var iv in ivs)
        {
            // Short, block-sized and long payloads, so every mix of four-block groups and single blocks is met.
            var size = random.Next(4) switch { 0 => 1 + random.Next(80), 1 => 16 * (1 + random.Next(16)), _ => 1 + random.Next(4096) };
            var type = (WireMessageType)random.Next(2);
            var plaintext = RandomBytes(random, size);

            Assert.True(encoder.TryEncode(type, plaintext, out byte[]? frame, out var error), error.Describe());
            Assert.Equal(Convert.ToHexString(ReferenceFrameCodec.Encode(key, iv, type, plaintext)), Convert.ToHexString(frame));

            Assert.Equal(FrameError.None, ReferenceFrameCodec.Decode(key, frame, out var referencePlaintext));
            Assert.Equal(plaintext, referencePlaintext);

            var fromReference = ReferenceFrameCodec.Encode(key, RandomBytes(random, FrameLayout.IvSize), type, plaintext);
            Assert.True(decoder.TryDecode(fromReference, destination, out var header, out error), error.Describe());
            Assert.Equal(type, header.Type);
            Assert.Equal(plaintext, destination[..header.PlaintextLength]);
        }
    }

    [Fact]
    public void Every_accepted_vector_read_from_one_stream_matches_the_reference()
    {
        foreach (var group in FrameVectors.All.Where(v => v.AcceptedByOriginal).GroupBy(v => Convert.ToHexString(v.Key)))
        {
            var vectors = group.ToList();
            var buffer = new ReadOnlySequence<byte>(vectors.SelectMany(v => v.Frame).ToArray());
            var reader = new FrameReader(new FrameDecoder(vectors[0].SharedKey));
            var destination = new byte[4096];
            foreach (var vector in vectors)
            {
                Assert.Equal(FrameReadStatus.Frame, reader.TryRead(ref buffer, destination, out var header, out _));
                Assert.Equal(FrameError.None, ReferenceFrameCodec.Decode(vector.Key, vector.Frame, out var expected));
                Assert.Equal(expected, destination[..header.PlaintextLength]);
            }
        }
    }

    [Fact]
    public void Hostile_frames_are_refused_with_the_references_error()
    {
        var random = new Random(1301);
        var key = RandomBytes(random, 32);
        var otherKey = RandomBytes(random, 32);
        var decoder = new FrameDecoder(new SharedKey(key));
        var errors = new HashSet<FrameError>();
        for (var i = 0; i < 2000; i++)
        {
            var size = 1 + random.Next(i % 2 == 0 ? 300 : 4096);
            var plaintext = RandomBytes(random, size);
            var iv = RandomBytes(random, FrameLayout.IvSize);
            var padLength = FrameLayout.PadLengthFor(size);
            var frame = (i % 5) switch
            {
                // Pad bytes that do not count down behind a hash that matches: altered on the way.
                0 when padLength > 0 => ReferenceFrameCodec.Encode(key, iv, WireMessageType.PfKey, plaintext, WrongPad(random, padLength)),
                1 => ReferenceFrameCodec.Encode(otherKey, iv, WireMessageType.PfKey, plaintext),
                _ => Mutated(random, ReferenceFrameCodec.Encode(key, iv, (WireMessageType)random.Next(2), plaintext)),
            };

            var expected = ReferenceFrameCodec.Decode(key, frame, out var expectedPlaintext);
            var destination = new byte[4096];
            var accepted = decoder.TryDecode(frame, destination, out var header, out var error);

            Assert.Equal(expected, error);
            Assert.Equal(expected == FrameError.None, accepted);
            if (accepted)
            {
                Assert.Equal(expectedPlaintext, destination[..header.PlaintextLength]);
            }

            errors.Add(expected);
        }

        // The mix reached every check after the header, and the header's own.
        Assert.Superset(new HashSet<FrameError> { FrameError.HashMismatch, FrameError.BadPadBytes, FrameError.BadLength, FrameError.Truncated }, errors);
    }

    private static byte[] WrongPad(Random random, int padLength)
    {
        var pad = RandomBytes(random, padLength);
        if (pad[0] == padLength)
        {
            pad[0] ^= 0x80;
        }

        return pad;
    }

    private static byte[] Mutated(Random random, byte[] frame)
    {
        var copy = (byte[])frame.Clone();
        for (var m = 1 + random.Next(3); m > 0; m--)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 + random.Next(255));
        }

        return random.Next(4) == 0 ? copy[..random.Next(copy.Length)] : copy;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
