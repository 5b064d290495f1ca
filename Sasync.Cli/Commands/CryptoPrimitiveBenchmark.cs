using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Sasync.Core.Wire;

namespace Sasync.Cli.Commands;

/// <summary>One way to do one of the codec's crypto operations, and how many per CPU second it managed.</summary>
internal sealed record CryptoPrimitiveRate(string Operation, string Name, bool Chosen, double PerCpuSecond);

/// <summary>
/// The alternatives the codec's primitives were chosen from (<c>bench codec --primitives</c>), over one
/// payload's bytes, so the choice can be checked on another machine or runtime. Each alternative's output is
/// compared with the chosen one's before it is timed: only a correct one is reported.
/// </summary>
internal static class CryptoPrimitiveBenchmark
{
    public const string Sha1 = "sha1";
    public const string Encrypt = "aesCbcEncrypt";
    public const string Decrypt = "aesCbcDecrypt";

    public static IReadOnlyList<CryptoPrimitiveRate> Run(int payloadSize, int keyBytes, TimeSpan duration, CancellationToken cancellationToken)
    {
        var key = RandomNumberGenerator.GetBytes(keyBytes);
        var padded = new byte[FrameLayout.CiphertextLengthFor(payloadSize)];
        new Random(payloadSize).NextBytes(padded.AsSpan(0, payloadSize));
        var payload = padded.AsSpan(0, payloadSize).ToArray();
        var ivBytes = RandomNumberGenerator.GetBytes(FrameLayout.IvSize);
        var iv = Vector128.Create(ivBytes);
        var output = new byte[padded.Length];
        var rates = new List<CryptoPrimitiveRate>();

        void Add(string operation, string name, bool chosen, ReadOnlySpan<byte> expected, Func<bool> step)
        {
            step();
            if (!output.AsSpan(0, expected.Length).SequenceEqual(expected))
            {
                throw new InvalidOperationException($"{operation} by {name} disagrees with the codec's");
            }

            rates.Add(new CryptoPrimitiveRate(operation, name, chosen, CodecCeiling.Rate(step, duration, cancellationToken)));
        }

        // SHA-1 of the payload.
        using var incremental = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        var managed = new Sha1Digest();
        var hash = SHA1.HashData(payload);
        Add(Sha1, "IncrementalHash, reused (BCL, OpenSSL)", true, hash, () =>
        {
            incremental.AppendData(payload);
            return incremental.GetHashAndReset(output) == hash.Length;
        });
        Add(Sha1, "SHA1.HashData, one call (BCL, OpenSSL)", false, hash, () => SHA1.HashData(payload, output) == hash.Length);
        Add(Sha1, "Sha1Digest, reused (BouncyCastle, managed)", false, hash, () =>
        {
            managed.BlockUpdate(payload);
            return managed.DoFinal(output) == hash.Length;
        });

        // AES-CBC encryption of the padded payload under a fresh IV.
        var encryptor = AesCbc.CreateEngine(forEncryption: true, key);
        using var bcl = Aes.Create();
        bcl.Key = key;
        var ciphertext = bcl.EncryptCbc(padded, ivBytes, PaddingMode.None);
        var aesNi = AesNiCbc.IsSupported ? new AesNiCbc(key) : null;
        if (aesNi is not null)
        {
            Add(Encrypt, "AES-NI intrinsics, CBC chained per block (sasyncd-cs)", true, ciphertext, () =>
            {
                var chain = iv;
                aesNi.Encrypt(padded, output, ref chain);
                return true;
            });
        }

        Add(Encrypt, "BouncyCastle AES engine, CBC chained per block", aesNi is null, ciphertext, () =>
        {
            var chain = iv;
            AesCbc.Encrypt(encryptor, padded, output, ref chain);
            return true;
        });
        Add(Encrypt, "Aes.EncryptCbc, one call on a reused Aes (BCL, OpenSSL)", false, ciphertext,
            () => bcl.EncryptCbc(padded, ivBytes, output, PaddingMode.None) == padded.Length);

        // AES-CBC decryption back to the padded payload.
        var decryptor = AesCbc.CreateEngine(forEncryption: false, key);
        bcl.Mode = CipherMode.ECB;
        bcl.Padding = PaddingMode.None;
        using var ecbDecryptor = bcl.CreateDecryptor();
        if (aesNi is not null)
        {
            Add(Decrypt, "AES-NI intrinsics, eight blocks at a time (sasyncd-cs)", true, padded, () =>
            {
                aesNi.Decrypt(ciphertext, output, iv);
                return true;
            });
        }

        Add(Decrypt, "BouncyCastle AES engine, four blocks at a time", aesNi is null, padded, () =>
        {
            AesCbc.Decrypt(decryptor, ciphertext, output, iv);
            return true;
        });
        Add(Decrypt, "BouncyCastle AES engine, one block at a time", false, padded, () =>
        {
            AesCbc.DecryptBlockByBlock(decryptor, ciphertext, output, iv);
            return true;
        });
        Add(Decrypt, "Aes.DecryptCbc, one call on a reused Aes (BCL, OpenSSL)", false, padded,
            () => bcl.DecryptCbc(ciphertext, ivBytes, output, PaddingMode.None) == padded.Length);
        Add(Decrypt, "reused ECB decryptor, then chained (BCL, OpenSSL)", false, padded, () =>
        {
            ecbDecryptor.TransformBlock(ciphertext, 0, ciphertext.Length, output, 0);
            Unchain(output, ciphertext, iv);
            return true;
        });

        return rates;
    }

    /// <summary>XORs each decrypted block with the ciphertext block before it (the IV for the first).</summary>
    private static void Unchain(Span<byte> plaintext, ReadOnlySpan<byte> ciphertext, Vector128<byte> iv)
    {
        var previous = iv;
        for (var offset = 0; offset < ciphertext.Length; offset += FrameLayout.BlockSize)
        {
            var block = plaintext.Slice(offset, FrameLayout.BlockSize);
            (Vector128.Create((ReadOnlySpan<byte>)block) ^ previous).CopyTo(block);
            previous = Vector128.Create(ciphertext.Slice(offset, FrameLayout.BlockSize));
        }
    }
}
