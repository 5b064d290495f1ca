using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

/// <summary>The codec's AES-CBC against the BCL's, on every path: four blocks at a time, one at a time, without AES-NI.</summary>
public class AesCbcTests
{
    public static TheoryData<int> KeyLengths => FrameRoundTripTests.KeyLengths;

    [Theory]
    [MemberData(nameof(KeyLengths))]
    public void Every_path_agrees_with_the_bcl_for_1_to_40_blocks(int keyLength)
    {
        var random = new Random(1400 + keyLength);
        var key = RandomBytes(random, keyLength);
        using var bcl = Aes.Create();
        bcl.Key = key;
        var encryptor = AesCbc.CreateEngine(forEncryption: true, key);
        var decryptor = AesCbc.CreateEngine(forEncryption: false, key);
        var software = new AesEngine();
        software.Init(false, new KeyParameter(key));

        for (var blocks = 1; blocks <= 40; blocks++)
        {
            var plaintext = RandomBytes(random, blocks * 16);
            var ivBytes = RandomBytes(random, 16);
            var iv = Vector128.Create(ivBytes);
            var expected = bcl.EncryptCbc(plaintext, ivBytes, PaddingMode.None);

            var ciphertext = new byte[plaintext.Length];
            var chain = iv;
            AesCbc.Encrypt(encryptor, plaintext, ciphertext, ref chain);
            Assert.Equal(expected, ciphertext);
            Assert.Equal(Vector128.Create(expected.AsSpan(^16..)), chain);

            foreach (var decrypt in new Action<byte[]>[]
            {
                output => AesCbc.Decrypt(decryptor, ciphertext, output, iv),
                output => AesCbc.DecryptBlockByBlock(decryptor, ciphertext, output, iv),
                output => AesCbc.Decrypt(software, ciphertext, output, iv),
            })
            {
                var output = new byte[plaintext.Length + 16];
                decrypt(output);
                Assert.Equal(plaintext, output[..plaintext.Length]);
                Assert.All(output[plaintext.Length..], b => Assert.Equal(0, b));
            }
        }
    }

    [Fact]
    public void A_message_encrypted_in_pieces_is_the_message_encrypted_whole()
    {
        var random = new Random(1402);
        var key = RandomBytes(random, 32);
        var encryptor = AesCbc.CreateEngine(forEncryption: true, key);
        var plaintext = RandomBytes(random, 13 * 16);
        var iv = Vector128.Create(RandomBytes(random, 16));

        var whole = new byte[plaintext.Length];
        var chain = iv;
        AesCbc.Encrypt(encryptor, plaintext, whole, ref chain);
        var pieces = new byte[plaintext.Length];
        chain = iv;
        AesCbc.Encrypt(encryptor, plaintext.AsSpan(0, 5 * 16), pieces, ref chain);
        AesCbc.Encrypt(encryptor, plaintext.AsSpan(5 * 16), pieces.AsSpan(5 * 16), ref chain);

        Assert.Equal(whole, pieces);
    }

    [AesNiFact]
    public void The_interleaved_path_refuses_a_plaintext_over_its_ciphertext_and_a_short_destination()
    {
        var key = new byte[16];
        var decryptor = AesCbc.CreateEngine(forEncryption: false, key);
        Assert.IsType<AesEngine_X86>(decryptor, exactMatch: false);
        var buffer = new byte[96];

        Assert.Throws<ArgumentException>(() => AesCbc.Decrypt(decryptor, buffer.AsSpan(0, 64), buffer.AsSpan(32, 64), default));
        Assert.Throws<ArgumentOutOfRangeException>(() => AesCbc.Decrypt(decryptor, buffer.AsSpan(0, 64), new byte[48], default));
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
