using System.Security.Cryptography;
using Sasync.Core.Wire.Extended;

namespace Sasync.Tests.Wire.Extended;

public class VectorizedAesGcmTests
{
    private const string SpecKey = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
    private const string SpecNonce = "cafebabefacedbaddecaf888";
    private const string ZeroKey = "0000000000000000000000000000000000000000000000000000000000000000";
    private const string ZeroNonce = "000000000000000000000000";
    private const string SpecPlaintext = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
    private const string SpecCiphertext = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad";

    /// <summary>The AES-256 cases of the GCM specification (McGrew and Viega, test cases 13 to 16): 96-bit IVs, with and without AAD.</summary>
    public static TheoryData<string, string, string, string, string, string> SpecificationCases => new()
    {
        { ZeroKey, ZeroNonce, "", "", "", "530f8afbc74536b9a963b4f1c4cb738b" },
        { ZeroKey, ZeroNonce, "", "00000000000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919" },
        { SpecKey, SpecNonce, "", SpecPlaintext, SpecCiphertext, "b094dac5d93471bdec1a502270e3cc6c" },
        { SpecKey, SpecNonce, "feedfacedeadbeeffeedfacedeadbeefabaddad2", SpecPlaintext[..120], SpecCiphertext[..120], "76fc6ece0f4e1768cddf8853bb2d551b" },
    };

    [VectorizedAesGcmTheory]
    [MemberData(nameof(SpecificationCases))]
    public void It_gives_the_specification_vectors(string key, string nonce, string associatedData, string plaintext, string ciphertext, string tag)
    {
        using var cipher = new VectorizedAesGcmCipher(Convert.FromHexString(key));
        var sealedText = new byte[plaintext.Length / 2];
        var sealedTag = new byte[16];

        cipher.Seal(Convert.FromHexString(nonce), Convert.FromHexString(plaintext), sealedText, sealedTag, Convert.FromHexString(associatedData));

        Assert.Equal(ciphertext, Convert.ToHexStringLower(sealedText));
        Assert.Equal(tag, Convert.ToHexStringLower(sealedTag));
        var opened = new byte[sealedText.Length];
        Assert.True(cipher.TryOpen(Convert.FromHexString(nonce), sealedText, sealedTag, opened, Convert.FromHexString(associatedData)));
        Assert.Equal(plaintext, Convert.ToHexStringLower(opened));
    }

    /// <summary>
    /// Lengths around the block and the four-block batch, the daemon's usual frame and the largest, under the
    /// specification's key and nonce; plaintext byte i = 31i + 7, AAD byte i = 13i + 1. Expected values from pyca/cryptography
    /// 48 (OpenSSL), given as SHA-256 of the ciphertext and the tag.
    /// </summary>
    [VectorizedAesGcmTheory]
    [InlineData(1, 0, "9defb0a9e163278be0e05aa01b312ec78cfa3726869503385e76e3a4b7950648", "5fb23d182c2c6cac1a7caa63a3dc1ef5")]
    [InlineData(1, 20, "9defb0a9e163278be0e05aa01b312ec78cfa3726869503385e76e3a4b7950648", "b1fe681214921623d012c1c1bb5fe5ce")]
    [InlineData(15, 0, "2b4091cae6caf07a0282c4d9edc8b2f0c57a67a6f58d509f830b6e793e540615", "972beb05406d483604c20bb3298c2ca8")]
    [InlineData(15, 20, "2b4091cae6caf07a0282c4d9edc8b2f0c57a67a6f58d509f830b6e793e540615", "7967be0f78d332b9ceac6011310fd793")]
    [InlineData(17, 0, "5b87c0e62d51c47db0b1749a88ef50ebe94dae091bcf18b69cee8e05a4d34b1b", "fd39b0f02587573d5a2c2e602e740401")]
    [InlineData(17, 20, "5b87c0e62d51c47db0b1749a88ef50ebe94dae091bcf18b69cee8e05a4d34b1b", "4f4fc54a6360fe1cc661efe83d3071b6")]
    [InlineData(208, 0, "9c249f8ca4ec4d425fa11c8de24a28ab2bea20092621285ae96fda39e34a2369", "d72cd82ed818e0f43afc4eecb99767ec")]
    [InlineData(208, 20, "9c249f8ca4ec4d425fa11c8de24a28ab2bea20092621285ae96fda39e34a2369", "12043d86aaa8393397a5f48accc9a11f")]
    [InlineData(4096, 0, "f8d1ca2c6f3706e69917ef22ececfadfdbad748a8f10d215e81af108ab8a678d", "3f1bffaf93cc6170d96a5fc8980fdf2f")]
    [InlineData(4096, 20, "f8d1ca2c6f3706e69917ef22ececfadfdbad748a8f10d215e81af108ab8a678d", "78a67de47e2999a7ac3b9346120f6011")]
    public void It_gives_the_known_answers_at_the_lengths_the_channel_uses(int length, int associatedLength, string ciphertextSha256, string tag)
    {
        var plaintext = Enumerable.Range(0, length).Select(i => (byte)((i * 31) + 7)).ToArray();
        var associatedData = Enumerable.Range(0, associatedLength).Select(i => (byte)((i * 13) + 1)).ToArray();
        using var cipher = new VectorizedAesGcmCipher(Convert.FromHexString(SpecKey));
        var ciphertext = new byte[length];
        var sealedTag = new byte[16];

        cipher.Seal(Convert.FromHexString(SpecNonce), plaintext, ciphertext, sealedTag, associatedData);

        Assert.Equal(ciphertextSha256, Convert.ToHexStringLower(SHA256.HashData(ciphertext)));
        Assert.Equal(tag, Convert.ToHexStringLower(sealedTag));
        var opened = new byte[length];
        Assert.True(cipher.TryOpen(Convert.FromHexString(SpecNonce), ciphertext, sealedTag, opened, associatedData));
        Assert.Equal(plaintext, opened);
    }

    [VectorizedAesGcmFact]
    public void It_agrees_with_the_BCL_and_BouncyCastle_over_random_lengths_keys_and_nonces()
    {
        var random = new Random(1213);
        var lengths = new[] { 0, 1, 15, 16, 17, 47, 48, 49, 60, 63, 64, 65, 208, 4095, 4096 }.Concat(Enumerable.Range(0, 300).Select(_ => random.Next(4200)));
        foreach (var length in lengths)
        {
            var key = ExtendedTestSession.Bytes(random, 32);
            var nonce = ExtendedTestSession.Bytes(random, 12);
            var plaintext = ExtendedTestSession.Bytes(random, length);
            var associatedData = ExtendedTestSession.Bytes(random, random.Next(4) == 0 ? 20 : random.Next(100));
            using var vectorized = new VectorizedAesGcmCipher(key);
            using var bcl = AesGcmCiphers.Create(ExtendedAeadProvider.Bcl, key);
            using var bouncyCastle = AesGcmCiphers.Create(ExtendedAeadProvider.BouncyCastle, key);

            var (ciphertext, tag) = SealWith(vectorized, nonce, plaintext, associatedData);

            foreach (var reference in new[] { bcl, bouncyCastle })
            {
                var (expected, expectedTag) = SealWith(reference, nonce, plaintext, associatedData);
                Assert.Equal(expected, ciphertext);
                Assert.Equal(expectedTag, tag);
            }

            var opened = new byte[length];
            Assert.True(vectorized.TryOpen(nonce, ciphertext, tag, opened, associatedData), $"length {length}, AAD {associatedData.Length}");
            Assert.Equal(plaintext, opened);
        }
    }

    [VectorizedAesGcmTheory]
    [InlineData(208, 20)]
    [InlineData(1, 20)]
    [InlineData(0, 20)]
    [InlineData(100, 0)]
    public void Any_flipped_bit_of_tag_ciphertext_or_AAD_is_refused_and_leaves_the_plaintext_zero(int length, int associatedLength)
    {
        var random = new Random(length + associatedLength);
        using var cipher = new VectorizedAesGcmCipher(ExtendedTestSession.Bytes(random, 32));
        var nonce = ExtendedTestSession.Bytes(random, 12);
        var associatedData = ExtendedTestSession.Bytes(random, associatedLength);
        var (ciphertext, tag) = SealWith(cipher, nonce, ExtendedTestSession.Bytes(random, length), associatedData);

        // Every bit of the tag, and every bit of the ciphertext and AAD up to a limit (the rest are the same code path).
        var fields = new[] { tag, ciphertext, associatedData };
        foreach (var field in fields)
        {
            for (var bit = 0; bit < Math.Min(field.Length * 8, 300); bit++)
            {
                field[bit / 8] ^= (byte)(1 << (bit % 8));
                var plaintext = Enumerable.Repeat((byte)0xA5, length).ToArray();
                Assert.False(cipher.TryOpen(nonce, ciphertext, tag, plaintext, associatedData));
                Assert.All(plaintext, b => Assert.Equal(0, b));
                field[bit / 8] ^= (byte)(1 << (bit % 8));
            }
        }

        var nonceFlipped = (byte[])nonce.Clone();
        nonceFlipped[11] ^= 1;
        Assert.False(cipher.TryOpen(nonceFlipped, ciphertext, tag, new byte[length], associatedData));
        Assert.True(cipher.TryOpen(nonce, ciphertext, tag, new byte[length], associatedData));
    }

    [VectorizedAesGcmFact]
    public void It_seals_and_opens_in_place()
    {
        var random = new Random(7);
        using var cipher = new VectorizedAesGcmCipher(ExtendedTestSession.Bytes(random, 32));
        var nonce = ExtendedTestSession.Bytes(random, 12);
        var plaintext = ExtendedTestSession.Bytes(random, 208);
        var (expected, expectedTag) = SealWith(cipher, nonce, plaintext, []);
        var buffer = (byte[])plaintext.Clone();
        var tag = new byte[16];

        cipher.Seal(nonce, buffer, buffer, tag, []);

        Assert.Equal(expected, buffer);
        Assert.Equal(expectedTag, tag);
        Assert.True(cipher.TryOpen(nonce, buffer, tag, buffer, []));
        Assert.Equal(plaintext, buffer);
    }

    [VectorizedAesGcmFact]
    public void Sealing_and_opening_allocate_nothing()
    {
        var random = new Random(3);
        using var cipher = new VectorizedAesGcmCipher(ExtendedTestSession.Bytes(random, 32));
        var nonce = ExtendedTestSession.Bytes(random, 12);
        var associatedData = ExtendedTestSession.Bytes(random, 20);
        var plaintext = ExtendedTestSession.Bytes(random, 208);
        var ciphertext = new byte[208];
        var opened = new byte[208];
        var tag = new byte[16];
        var badTag = new byte[16];
        cipher.Seal(nonce, plaintext, ciphertext, tag, associatedData);
        cipher.TryOpen(nonce, ciphertext, tag, opened, associatedData);
        cipher.TryOpen(nonce, ciphertext, badTag, opened, associatedData);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var opens = 0;
        for (var i = 0; i < 2000; i++)
        {
            nonce[11] = (byte)i;
            cipher.Seal(nonce, plaintext, ciphertext, tag, associatedData);
            opens += cipher.TryOpen(nonce, ciphertext, tag, opened, associatedData) ? 1 : 0;
            opens += cipher.TryOpen(nonce, ciphertext, badTag, opened, associatedData) ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2000, opens);
    }

    [VectorizedAesGcmFact]
    public void A_disposed_cipher_refuses_to_work()
    {
        var cipher = new VectorizedAesGcmCipher(new byte[32]);
        cipher.Dispose();
        cipher.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cipher.Seal(new byte[12], new byte[1], new byte[1], new byte[16], []));
        Assert.Throws<ObjectDisposedException>(() => cipher.TryOpen(new byte[12], new byte[1], new byte[16], new byte[1], []));
    }

    [VectorizedAesGcmFact]
    public void Wrong_lengths_are_refused()
    {
        using var cipher = new VectorizedAesGcmCipher(new byte[32]);

        Assert.Throws<ArgumentException>(() => new VectorizedAesGcmCipher(new byte[16]));
        Assert.Throws<ArgumentException>(() => cipher.Seal(new byte[16], new byte[1], new byte[1], new byte[16], []));
        Assert.Throws<ArgumentException>(() => cipher.Seal(new byte[12], new byte[2], new byte[1], new byte[16], []));
        Assert.Throws<ArgumentException>(() => cipher.Seal(new byte[12], new byte[1], new byte[1], new byte[12], []));
    }

    [VectorizedAesGcmFact]
    public void Automatic_takes_it_where_the_CPU_has_the_instructions()
    {
        Assert.Equal(ExtendedAeadProvider.Vectorized, AesGcmCiphers.Resolve(ExtendedAeadProvider.Automatic));
        using var cipher = AesGcmCiphers.Create(ExtendedAeadProvider.Automatic, new byte[32]);
        Assert.IsType<VectorizedAesGcmCipher>(cipher);
    }

    private static (byte[] Ciphertext, byte[] Tag) SealWith(IAesGcmCipher cipher, byte[] nonce, byte[] plaintext, byte[] associatedData)
    {
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        cipher.Seal(nonce, plaintext, ciphertext, tag, associatedData);
        return (ciphertext, tag);
    }
}
