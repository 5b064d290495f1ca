using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

/// <summary>The AES-NI CBC (eight blocks in flight) against the BCL's AES-CBC, for every key size.</summary>
public class AesNiCbcTests
{
    public static TheoryData<int> KeyLengths => FrameRoundTripTests.KeyLengths;

    [Fact]
    public void The_fips_197_example_keys_encrypt_their_example_block()
    {
        if (!AesNiCbc.IsSupported)
        {
            return;
        }

        var plaintext = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
        foreach (var (key, expected) in new[]
        {
            ("000102030405060708090A0B0C0D0E0F", "69C4E0D86A7B0430D8CDB78070B4C55A"),
            ("000102030405060708090A0B0C0D0E0F1011121314151617", "DDA97CA4864CDFE06EAF70A0EC0D7191"),
            ("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "8EA2B7CA516745BFEAFC49904B496089"),
        })
        {
            var aes = new AesNiCbc(Convert.FromHexString(key));
            var ciphertext = new byte[16];
            var chain = Vector128<byte>.Zero;
            aes.Encrypt(plaintext, ciphertext, ref chain);
            Assert.Equal(expected, Convert.ToHexString(ciphertext));
            var back = new byte[16];
            aes.Decrypt(ciphertext, back, Vector128<byte>.Zero);
            Assert.Equal(plaintext, back);
        }
    }

    [Theory]
    [MemberData(nameof(KeyLengths))]
    public void Both_ways_agree_with_the_bcl_for_1_to_40_blocks(int keyLength)
    {
        if (!AesNiCbc.IsSupported)
        {
            return;
        }

        var random = new Random(1800 + keyLength);
        var key = RandomBytes(random, keyLength);
        using var bcl = Aes.Create();
        bcl.Key = key;
        var aes = new AesNiCbc(key);
        for (var blocks = 1; blocks <= 40; blocks++)
        {
            var plaintext = RandomBytes(random, blocks * 16);
            var ivBytes = RandomBytes(random, 16);
            var expected = bcl.EncryptCbc(plaintext, ivBytes, PaddingMode.None);

            var ciphertext = new byte[plaintext.Length];
            var chain = Vector128.Create(ivBytes);
            aes.Encrypt(plaintext, ciphertext, ref chain);
            Assert.Equal(expected, ciphertext);
            Assert.Equal(Vector128.Create(expected.AsSpan(^16..)), chain);

            var decrypted = new byte[plaintext.Length];
            aes.Decrypt(expected, decrypted, Vector128.Create(ivBytes));
            Assert.Equal(plaintext, decrypted);
        }
    }

    [Theory]
    [MemberData(nameof(KeyLengths))]
    public void Eight_messages_side_by_side_encrypt_as_each_alone_for_every_count_and_mixed_lengths(int keyLength)
    {
        if (!AesNiCbc.IsSupported)
        {
            return;
        }

        var random = new Random(1900 + keyLength);
        var key = RandomBytes(random, keyLength);
        using var bcl = Aes.Create();
        bcl.Key = key;
        var aes = new AesNiCbc(key);
        for (var round = 0; round < 40; round++)
        {
            var count = 1 + (round % AesNiCbc.Lanes);
            var lengths = Enumerable.Range(0, count).Select(_ => 16 * (1 + random.Next(20))).ToArray();
            var offsets = lengths.Select((_, i) => lengths.Take(i).Sum() + (7 * i)).ToArray();
            var buffer = RandomBytes(random, offsets[^1] + lengths[^1] + 5);
            var ivs = Enumerable.Range(0, count).Select(_ => RandomBytes(random, 16)).ToArray();
            var expected = (byte[])buffer.Clone();
            for (var i = 0; i < count; i++)
            {
                bcl.EncryptCbc(buffer.AsSpan(offsets[i], lengths[i]), ivs[i], PaddingMode.None).CopyTo(expected, offsets[i]);
            }

            aes.EncryptInPlace(buffer, offsets, lengths, ivs.Select(iv => Vector128.Create(iv)).ToArray());
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(buffer));
        }
    }

    [Fact]
    public void A_key_of_another_size_or_overlapping_buffers_are_refused()
    {
        if (!AesNiCbc.IsSupported)
        {
            return;
        }

        Assert.Throws<ArgumentException>(() => new AesNiCbc(new byte[20]));
        var aes = new AesNiCbc(new byte[32]);
        var buffer = new byte[64];
        Assert.Throws<ArgumentException>(() => aes.Decrypt(buffer.AsSpan(0, 32), buffer.AsSpan(16, 32), Vector128<byte>.Zero));
        Assert.Throws<ArgumentException>(() => aes.EncryptInPlace(buffer, [0], [17], [Vector128<byte>.Zero]));
        Assert.ThrowsAny<ArgumentException>(() => aes.EncryptInPlace(buffer, [32], [48], [Vector128<byte>.Zero]));
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
