using System.Security.Cryptography;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

public class FrameDigestTests
{
    [Fact]
    public void The_digest_is_sha1_and_can_be_reused()
    {
        var digest = new FrameDigest();
        var random = new Random(17);
        var hash = new byte[20];
        foreach (var size in new[] { 0, 1, 55, 56, 64, 208, 4096 })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            digest.Compute(bytes, hash);
            Assert.Equal(SHA1.HashData(bytes), hash);
        }
    }

    [Fact]
    public void Hashes_are_equal_only_when_every_bit_is()
    {
        var a = new byte[20];
        new Random(18).NextBytes(a);

        Assert.True(FrameDigest.HashesEqual(a, (byte[])a.Clone()));
        for (var bit = 0; bit < 160; bit++)
        {
            var b = (byte[])a.Clone();
            b[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(FrameDigest.HashesEqual(a, b), $"bit {bit}");
            Assert.False(FrameDigest.HashesEqual(b, a), $"bit {bit}");
        }
    }

    [Fact]
    public void Only_hash_sized_spans_are_compared()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameDigest.HashesEqual(new byte[16], new byte[16]));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameDigest.HashesEqual(new byte[20], new byte[21]));
    }
}
