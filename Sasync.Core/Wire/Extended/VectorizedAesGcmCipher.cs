using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Sasync.Core.Wire.Extended;

/// <summary>
/// AES-256-GCM over BouncyCastle's AES-NI engine, four counter blocks per call, and <see cref="GhashKey"/>'s
/// PCLMULQDQ GHASH, allocating nothing per message. Written because neither library's GCM suits small frames:
/// BouncyCastle's GcmBlockCipher allocates in Init and DoFinal and multiplies one block at a time, and the BCL's
/// AesGcm pays OpenSSL's per-call set-up, which dominates small frames (compare with <c>bench codec --aead</c>).
/// The first AES call of a message encrypts J0 (nonce || 1), whose output masks the tag, with the first three
/// counter blocks. Opening checks the tag over the ciphertext before any plaintext is written.
/// Not thread-safe: one per direction.
/// </summary>
internal sealed class VectorizedAesGcmCipher : IAesGcmCipher
{
    private const int Block = 16;
    private const int FourBlocks = 4 * Block;
    private const int CounterOffset = ExtendedFrameLayout.NonceSize;

    private readonly GhashKey _ghash;
    private AesEngine_X86 _aes;
    private bool _disposed;

    public VectorizedAesGcmCipher(ReadOnlySpan<byte> key)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("this AES-GCM needs AES-NI and PCLMULQDQ");
        }

        if (key.Length != ExtendedFrameLayout.KeySize)
        {
            throw new ArgumentException($"an AES-256 key is {ExtendedFrameLayout.KeySize} bytes", nameof(key));
        }

        _aes.Init(true, new KeyParameter(key));
        Span<byte> hashKey = stackalloc byte[Block];
        hashKey.Clear();
        _aes.ProcessBlock(hashKey, hashKey);
        _ghash = new GhashKey(hashKey);
        CryptographicOperations.ZeroMemory(hashKey);
    }

    /// <summary>Whether this machine runs BouncyCastle's AES on AES-NI and has the carry-less multiply GHASH needs.</summary>
    public static bool IsSupported => AesUtilities.IsHardwareAccelerated && AesEngine_X86.IsSupported && GhashKey.IsSupported;

    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        CheckArguments(nonce, plaintext.Length, ciphertext.Length, tag.Length);
        Span<byte> counters = stackalloc byte[FourBlocks];
        Span<byte> stream = stackalloc byte[FourBlocks];
        var mask = StartKeyStream(nonce, counters, stream);
        Crypt(plaintext, ciphertext, counters, stream);

        Span<byte> digest = stackalloc byte[Block];
        _ghash.Compute(associatedData, ciphertext, digest);
        (Vector128.Create((ReadOnlySpan<byte>)digest) ^ mask).CopyTo(tag);
    }

    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        CheckArguments(nonce, ciphertext.Length, plaintext.Length, tag.Length);
        Span<byte> counters = stackalloc byte[FourBlocks];
        Span<byte> stream = stackalloc byte[FourBlocks];
        var mask = StartKeyStream(nonce, counters, stream);

        Span<byte> expected = stackalloc byte[Block];
        _ghash.Compute(associatedData, ciphertext, expected);
        (Vector128.Create((ReadOnlySpan<byte>)expected) ^ mask).CopyTo(expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            // Nothing was written; cleared anyway, as the interface promises a zeroed buffer.
            CryptographicOperations.ZeroMemory(plaintext);
            CryptographicOperations.ZeroMemory(stream);
            return false;
        }

        Crypt(ciphertext, plaintext, counters, stream);
        return true;
    }

    /// <summary>
    /// Forgets the GHASH key powers and drops the engine. BouncyCastle keeps the round keys (and its KeyParameter the key)
    /// in arrays of its own that it offers no way to clear; the caller's key is the caller's to zero.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _ghash.Dispose();
        _aes = default;
        _disposed = true;
    }

    private void CheckArguments(ReadOnlySpan<byte> nonce, int inputLength, int outputLength, int tagLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (nonce.Length != ExtendedFrameLayout.NonceSize)
        {
            throw new ArgumentException($"a GCM nonce here is {ExtendedFrameLayout.NonceSize} bytes", nameof(nonce));
        }

        if (outputLength != inputLength)
        {
            throw new ArgumentException("the output must be as long as the input");
        }

        if (tagLength != ExtendedFrameLayout.TagSize)
        {
            throw new ArgumentException($"a tag is {ExtendedFrameLayout.TagSize} bytes");
        }
    }

    /// <summary>
    /// Fills the four counter blocks with the nonce, encrypts counters 1 to 4 into <paramref name="stream"/>, and returns
    /// E(J0), the tag's mask; the key stream for the first three data blocks is left in the rest of <paramref name="stream"/>.
    /// </summary>
    private Vector128<byte> StartKeyStream(ReadOnlySpan<byte> nonce, Span<byte> counters, Span<byte> stream)
    {
        for (var i = 0; i < 4; i++)
        {
            nonce.CopyTo(counters.Slice(i * Block, ExtendedFrameLayout.NonceSize));
        }

        NextCounters(counters, 1);
        _aes.ProcessFourBlocks(counters, stream);
        return Vector128.Create((ReadOnlySpan<byte>)stream);
    }

    /// <summary>CTR mode from counter 2: the first three blocks from the key stream already made, then four blocks per AES call.</summary>
    private void Crypt(ReadOnlySpan<byte> input, Span<byte> output, Span<byte> counters, Span<byte> stream)
    {
        var first = Math.Min(input.Length, FourBlocks - Block);
        Xor(input[..first], stream[Block..], output);
        var counter = 5u;
        for (var offset = first; offset < input.Length; offset += FourBlocks, counter += 4)
        {
            NextCounters(counters, counter);
            _aes.ProcessFourBlocks(counters, stream);
            var length = Math.Min(FourBlocks, input.Length - offset);
            Xor(input.Slice(offset, length), stream, output[offset..]);
        }

        CryptographicOperations.ZeroMemory(stream);
    }

    /// <summary>Sets the four blocks' 32-bit big-endian counters to <paramref name="first"/> .. first + 3 (wrapping, as GCM's inc32).</summary>
    private static void NextCounters(Span<byte> counters, uint first)
    {
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(counters.Slice((i * Block) + CounterOffset, 4), unchecked(first + (uint)i));
        }
    }

    /// <summary>output = input xor key stream, for up to four blocks (the last one may be partial).</summary>
    private static void Xor(ReadOnlySpan<byte> input, ReadOnlySpan<byte> stream, Span<byte> output)
    {
        var offset = 0;
        for (; offset + Block <= input.Length; offset += Block)
        {
            (Vector128.Create(input.Slice(offset, Block)) ^ Vector128.Create(stream.Slice(offset, Block))).CopyTo(output.Slice(offset, Block));
        }

        for (; offset < input.Length; offset++)
        {
            output[offset] = (byte)(input[offset] ^ stream[offset]);
        }
    }
}
