using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Sasync.Core.Wire;

namespace Sasync.Cli.Commands;

/// <summary>
/// The most the codec could do with its own primitives: SHA-1 and AES-CBC over the frame's bytes with nothing
/// else (no header, IV draw, pad check or copy), per CPU second, with the parts on their own.
/// </summary>
internal sealed record CodecCeilingResult(
    double EncodePerCpuSecond,
    double DecodePerCpuSecond,
    double Sha1PerCpuSecond,
    double AesCbcEncryptPerCpuSecond,
    double AesCbcDecryptPerCpuSecond);

internal static class CodecCeiling
{
    /// <summary>Times each step for half of <paramref name="duration"/> after a warm-up, on the calling thread.</summary>
    public static CodecCeilingResult Run(int payloadSize, int keyBytes, TimeSpan duration, CancellationToken cancellationToken)
    {
        duration /= 2;
        var key = RandomNumberGenerator.GetBytes(keyBytes);
        var encryptor = AesCbc.CreateEngine(forEncryption: true, key);
        var decryptor = AesCbc.CreateEngine(forEncryption: false, key);
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);

        // The payload with its pad bytes, as the codec encrypts it; the hash covers the payload alone.
        var padded = new byte[FrameLayout.CiphertextLengthFor(payloadSize)];
        new Random(payloadSize).NextBytes(padded.AsSpan(0, payloadSize));
        var iv = Vector128.Create(RandomNumberGenerator.GetBytes(FrameLayout.IvSize));
        var ciphertext = new byte[padded.Length];
        var plaintext = new byte[padded.Length];
        var hash = new byte[FrameLayout.HashSize];

        bool Hash(ReadOnlySpan<byte> bytes)
        {
            sha1.AppendData(bytes);
            return sha1.GetHashAndReset(hash) == hash.Length;
        }

        bool Encrypt()
        {
            var chain = iv;
            AesCbc.Encrypt(encryptor, padded, ciphertext, ref chain);
            return true;
        }

        bool Decrypt()
        {
            AesCbc.Decrypt(decryptor, ciphertext, plaintext, iv);
            return true;
        }

        Encrypt();
        Decrypt();
        if (!plaintext.AsSpan().SequenceEqual(padded))
        {
            throw new InvalidOperationException("AES-CBC does not round-trip");
        }

        return new CodecCeilingResult(
            Rate(() => Hash(padded.AsSpan(0, payloadSize)) && Encrypt(), duration, cancellationToken),
            Rate(() => Decrypt() && Hash(plaintext.AsSpan(0, payloadSize)), duration, cancellationToken),
            Rate(() => Hash(padded.AsSpan(0, payloadSize)), duration, cancellationToken),
            Rate(Encrypt, duration, cancellationToken),
            Rate(Decrypt, duration, cancellationToken));
    }

    /// <summary>Steps per CPU second of <paramref name="step"/>, after a warm-up.</summary>
    internal static double Rate(Func<bool> step, TimeSpan duration, CancellationToken cancellationToken)
    {
        CodecBenchmark.Measure(step, CodecBenchmark.WarmUpFor(duration), cancellationToken);
        return CodecBenchmark.Measure(step, duration, cancellationToken).PerCpuSecond;
    }
}
