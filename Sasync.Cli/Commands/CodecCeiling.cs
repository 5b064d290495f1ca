using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Sasync.Core.Wire;

namespace Sasync.Cli.Commands;

/// <summary>
/// The most the codec could do with its own primitives: SHA-1 and AES-CBC over the frame's bytes with nothing
/// else (no header, IV draw, pad check or copy), per CPU second, with the parts on their own; for a batch of
/// <see cref="CodecBenchmark.FramesPerBatch"/> frames as the daemon's path runs them (eight SHA-1s at once where
/// the CPU has AVX2, eight CBC encryptions side by side where it has AES-NI), and for one frame at a time.
/// </summary>
internal sealed record CodecCeilingResult(
    double EncodePerCpuSecond,
    double DecodePerCpuSecond,
    double Sha1PerCpuSecond,
    double AesCbcEncryptPerCpuSecond,
    double AesCbcDecryptPerCpuSecond,
    double SingleFrameEncodePerCpuSecond,
    double SingleFrameDecodePerCpuSecond,
    double SingleFrameSha1PerCpuSecond,
    double SingleFrameAesCbcEncryptPerCpuSecond);

internal static class CodecCeiling
{
    /// <summary>Times each step for half of <paramref name="duration"/> after a warm-up, on the calling thread.</summary>
    public static CodecCeilingResult Run(int payloadSize, int keyBytes, TimeSpan duration, CancellationToken cancellationToken)
    {
        duration /= 2;
        var key = RandomNumberGenerator.GetBytes(keyBytes);
        var encryptor = AesCbc.CreateEngine(forEncryption: true, key);
        var decryptor = AesCbc.CreateEngine(forEncryption: false, key);
        // As the codec: AES-NI with eight blocks in flight where the CPU has it.
        var aesNi = AesNiCbc.IsSupported ? new AesNiCbc(key) : null;
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
            if (aesNi is not null)
            {
                aesNi.Encrypt(padded, ciphertext, ref chain);
            }
            else
            {
                AesCbc.Encrypt(encryptor, padded, ciphertext, ref chain);
            }

            return true;
        }

        bool Decrypt()
        {
            if (aesNi is not null)
            {
                aesNi.Decrypt(ciphertext, plaintext, iv);
            }
            else
            {
                AesCbc.Decrypt(decryptor, ciphertext, plaintext, iv);
            }

            return true;
        }

        Encrypt();
        Decrypt();
        if (!plaintext.AsSpan().SequenceEqual(padded))
        {
            throw new InvalidOperationException("AES-CBC does not round-trip");
        }

        // The batch: the frames' padded payloads one after another, as the batch encoder lays them out to hash them.
        const int frames = CodecBenchmark.FramesPerBatch;
        var batch = new byte[frames * padded.Length];
        var batchOut = new byte[batch.Length];
        var offsets = new int[frames];
        var hashedLengths = new int[frames];
        var paddedLengths = new int[frames];
        var ivs = new Vector128<byte>[frames];
        for (var i = 0; i < frames; i++)
        {
            padded.CopyTo(batch, i * padded.Length);
            offsets[i] = i * padded.Length;
            hashedLengths[i] = payloadSize;
            paddedLengths[i] = padded.Length;
            ivs[i] = iv;
        }

        var hashes = new byte[frames * FrameLayout.HashSize];
        bool HashBatch(byte[] source)
        {
            if (!MultiBufferSha1.IsSupported)
            {
                for (var i = 0; i < frames; i++)
                {
                    Hash(source.AsSpan(offsets[i], payloadSize));
                }

                return true;
            }

            MultiBufferSha1.Compute(source, offsets, hashedLengths, hashes);
            return true;
        }

        bool EncryptBatch()
        {
            if (aesNi is not null)
            {
                aesNi.EncryptInPlace(batch, offsets, paddedLengths, ivs);
                return true;
            }

            for (var i = 0; i < frames; i++)
            {
                var chain = iv;
                var message = batch.AsSpan(offsets[i], padded.Length);
                AesCbc.Encrypt(encryptor, message, message, ref chain);
            }

            return true;
        }

        bool DecryptBatch()
        {
            for (var i = 0; i < frames; i++)
            {
                if (aesNi is not null)
                {
                    aesNi.Decrypt(batch.AsSpan(offsets[i], padded.Length), batchOut.AsSpan(offsets[i], padded.Length), iv);
                }
                else
                {
                    AesCbc.Decrypt(decryptor, batch.AsSpan(offsets[i], padded.Length), batchOut.AsSpan(offsets[i], padded.Length), iv);
                }
            }

            return true;
        }

        return new CodecCeilingResult(
            Rate(() => HashBatch(batch) && EncryptBatch(), duration, cancellationToken, frames),
            Rate(() => DecryptBatch() && HashBatch(batchOut), duration, cancellationToken, frames),
            Rate(() => HashBatch(batch), duration, cancellationToken, frames),
            Rate(EncryptBatch, duration, cancellationToken, frames),
            Rate(DecryptBatch, duration, cancellationToken, frames),
            Rate(() => Hash(padded.AsSpan(0, payloadSize)) && Encrypt(), duration, cancellationToken),
            Rate(() => Decrypt() && Hash(plaintext.AsSpan(0, payloadSize)), duration, cancellationToken),
            Rate(() => Hash(padded.AsSpan(0, payloadSize)), duration, cancellationToken),
            Rate(Encrypt, duration, cancellationToken));
    }

    /// <summary>Frames per CPU second of <paramref name="step"/>, which handles <paramref name="framesPerStep"/>, after a warm-up.</summary>
    internal static double Rate(Func<bool> step, TimeSpan duration, CancellationToken cancellationToken, int framesPerStep = 1)
    {
        CodecBenchmark.Measure(step, CodecBenchmark.WarmUpFor(duration), cancellationToken, framesPerStep);
        return CodecBenchmark.Measure(step, duration, cancellationToken, framesPerStep).PerCpuSecond;
    }
}
