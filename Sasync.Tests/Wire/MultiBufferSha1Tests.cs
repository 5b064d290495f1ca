using System.Security.Cryptography;
using System.Text;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

/// <summary>The eight-lane SHA-1 against FIPS 180 vectors and the BCL's SHA-1, for every lane count and mixed lengths.</summary>
public class MultiBufferSha1Tests
{
    private static readonly (string Message, string Hash)[] Fips =
    [
        ("", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"),
        ("abc", "A9993E364706816ABA3E25717850C26C9CD0D89D"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983E441C3BD26EBAAE4AA1F95129E5E54670F1"),
        (new string('a', 1_000_000), "34AA973CD4C4DAA4F61EEB2BDBAD27316534016F"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "A49B2446A02C645BF419F995B67091253A04A259"),
    ];

    private static string[] Hash(byte[] source, int[] offsets, int[] lengths)
    {
        var hashes = new byte[offsets.Length * FrameLayout.HashSize];
        MultiBufferSha1.Compute(source, offsets, lengths, hashes);
        return Enumerable.Range(0, offsets.Length).Select(i => Convert.ToHexString(hashes, i * FrameLayout.HashSize, FrameLayout.HashSize)).ToArray();
    }

    [Avx2Fact]
    public void The_fips_180_vectors_hash_right_together_and_each_alone()
    {
        var messages = Fips.Select(f => Encoding.ASCII.GetBytes(f.Message)).ToArray();
        var source = messages.SelectMany(m => m).ToArray();
        var lengths = messages.Select(m => m.Length).ToArray();
        var offsets = lengths.Select((_, i) => lengths.Take(i).Sum()).ToArray();

        Assert.Equal(Fips.Select(f => f.Hash), Hash(source, offsets, lengths));
        for (var i = 0; i < Fips.Length; i++)
        {
            Assert.Equal([Fips[i].Hash], Hash(messages[i], [0], [messages[i].Length]));
        }
    }

    [Avx2Fact]
    public void Every_lane_count_and_mixed_lengths_from_0_to_2000_agree_with_the_bcl()
    {
        var random = new Random(180);
        var source = new byte[8 * 2100];
        random.NextBytes(source);
        for (var round = 0; round < 300; round++)
        {
            var count = 1 + (round % MultiBufferSha1.Lanes);
            // Lengths around the block and padding edges as often as anywhere else.
            var lengths = Enumerable.Range(0, count).Select(_ => random.Next(4) switch
            {
                0 => random.Next(2001),
                1 => (64 * random.Next(32)) + random.Next(-1, 2) + 0,
                2 => (64 * random.Next(32)) + 55 + random.Next(0, 3),
                _ => random.Next(300),
            }).Select(l => Math.Clamp(l, 0, 2000)).ToArray();
            var offsets = lengths.Select(_ => random.Next(source.Length - 2000)).ToArray();

            var expected = offsets.Zip(lengths, (o, l) => Convert.ToHexString(SHA1.HashData(source.AsSpan(o, l)))).ToArray();

            Assert.Equal(expected, Hash(source, offsets, lengths));
        }
    }

    [Avx2Fact]
    public void Eight_equal_messages_of_every_length_to_300_agree_with_the_bcl()
    {
        var random = new Random(181);
        var source = new byte[8 * 300];
        random.NextBytes(source);
        for (var length = 0; length <= 300; length++)
        {
            var offsets = Enumerable.Range(0, 8).Select(i => i * 300).ToArray();
            var lengths = Enumerable.Repeat(length, 8).ToArray();
            var expected = offsets.Select(o => Convert.ToHexString(SHA1.HashData(source.AsSpan(o, length)))).ToArray();

            Assert.Equal(expected, Hash(source, offsets, lengths));
        }
    }

    [Avx2Fact]
    public void A_range_outside_the_source_or_a_wrong_count_is_refused()
    {
        var source = new byte[100];
        var hashes = new byte[9 * FrameLayout.HashSize];
        Assert.ThrowsAny<ArgumentException>(() => MultiBufferSha1.Compute(source, [50], [51], hashes));
        Assert.ThrowsAny<ArgumentException>(() => MultiBufferSha1.Compute(source, [], [], hashes));
        Assert.ThrowsAny<ArgumentException>(() => MultiBufferSha1.Compute(source, new int[9], new int[9], hashes));
        Assert.ThrowsAny<ArgumentException>(() => MultiBufferSha1.Compute(source, [0, 1], [1, 1], new byte[39]));
    }

    [Avx2Fact]
    public void Hashing_allocates_nothing()
    {
        var source = new byte[8 * 208];
        var offsets = Enumerable.Range(0, 8).Select(i => i * 208).ToArray();
        var lengths = Enumerable.Repeat(208, 8).ToArray();
        var hashes = new byte[8 * FrameLayout.HashSize];
        MultiBufferSha1.Compute(source, offsets, lengths, hashes);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            MultiBufferSha1.Compute(source, offsets, lengths, hashes);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
