using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Sasync.Core.Wire.Extended;

/// <summary>
/// AES-256-GCM on the AES-NI instructions directly, eight counter blocks in flight (as <see cref="AesNiCbc"/> keeps
/// eight), and <see cref="GhashKey"/>'s PCLMULQDQ GHASH, allocating nothing per message. Written because neither
/// library's GCM suits small frames: BouncyCastle's GcmBlockCipher allocates in Init and DoFinal and multiplies one
/// block at a time (and its AES engine keeps four blocks in flight), and the BCL's AesGcm pays OpenSSL's per-call
/// set-up, which dominates small frames (compare with <c>bench codec --aead</c>). The first AES call of a message
/// encrypts J0 (nonce || 1), whose output masks the tag, with the first seven data counter blocks, so a frame of up to
/// 112 bytes takes one call. Opening checks the tag over the ciphertext before any plaintext is written.
/// Not thread-safe: one per direction.
/// </summary>
internal sealed class VectorizedAesGcmCipher : IAesGcmCipher
{
    private const int Block = 16;
    private const int Lanes = 8;

    private readonly GhashKey _ghash;
    private readonly Vector128<byte>[] _keys;
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

        _keys = AesNiCbc.EncryptionRoundKeys(key);
        Span<byte> hashKey = stackalloc byte[Block];
        EncryptBlock(Vector128<byte>.Zero).CopyTo(hashKey);
        _ghash = new GhashKey(hashKey);
        CryptographicOperations.ZeroMemory(hashKey);
    }

    /// <summary>Whether this machine has AES-NI and the carry-less multiply GHASH needs.</summary>
    public static bool IsSupported => X86Aes.IsSupported && GhashKey.IsSupported;

    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        CheckArguments(nonce, plaintext.Length, ciphertext.Length, tag.Length);
        Span<Vector128<byte>> stream = stackalloc Vector128<byte>[Lanes];
        var j0 = CounterBlock(nonce);
        KeyStream(j0, 1, stream);
        var mask = stream[0];
        Crypt(plaintext, ciphertext, j0, stream);

        Span<byte> digest = stackalloc byte[Block];
        _ghash.Compute(associatedData, ciphertext, digest);
        (Vector128.Create((ReadOnlySpan<byte>)digest) ^ mask).CopyTo(tag);
    }

    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        CheckArguments(nonce, ciphertext.Length, plaintext.Length, tag.Length);
        Span<Vector128<byte>> stream = stackalloc Vector128<byte>[Lanes];
        var j0 = CounterBlock(nonce);
        KeyStream(j0, 1, stream);
        var mask = stream[0];

        Span<byte> expected = stackalloc byte[Block];
        _ghash.Compute(associatedData, ciphertext, expected);
        (Vector128.Create((ReadOnlySpan<byte>)expected) ^ mask).CopyTo(expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            // Nothing was written; cleared anyway, as the interface promises a zeroed buffer.
            CryptographicOperations.ZeroMemory(plaintext);
            stream.Clear();
            return false;
        }

        Crypt(ciphertext, plaintext, j0, stream);
        return true;
    }

    /// <summary>Forgets the round keys and the GHASH key powers; the caller's key is the caller's to zero.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _ghash.Dispose();
        Array.Clear(_keys);
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

    /// <summary>The nonce with a zero 32-bit counter: what <see cref="Counter"/> numbers.</summary>
    private static Vector128<byte> CounterBlock(ReadOnlySpan<byte> nonce)
    {
        Span<byte> block = stackalloc byte[Block];
        nonce.CopyTo(block);
        BinaryPrimitives.WriteUInt32BigEndian(block[ExtendedFrameLayout.NonceSize..], 0);
        return Vector128.Create((ReadOnlySpan<byte>)block);
    }

    // The nonce block with its last four bytes the big-endian counter n (wrapping, as GCM's inc32). AES-NI is x86: little-endian lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Counter(Vector128<byte> j0, uint n) => j0.AsUInt32().WithElement(3, BinaryPrimitives.ReverseEndianness(n)).AsByte();

    /// <summary>CTR mode from counter 2: the first seven blocks from the key stream already made, then eight blocks per AES call.</summary>
    private void Crypt(ReadOnlySpan<byte> input, Span<byte> output, Vector128<byte> j0, Span<Vector128<byte>> stream)
    {
        var lane = 1;
        var counter = 1u + Lanes;
        var offset = 0;
        for (; offset + Block <= input.Length; offset += Block, lane++)
        {
            if (lane == Lanes)
            {
                KeyStream(j0, counter, stream);
                counter += Lanes;
                lane = 0;
            }

            (Vector128.Create(input.Slice(offset, Block)) ^ stream[lane]).CopyTo(output.Slice(offset, Block));
        }

        if (offset < input.Length)
        {
            if (lane == Lanes)
            {
                KeyStream(j0, counter, stream);
                lane = 0;
            }

            var last = MemoryMarshal.AsBytes(stream.Slice(lane, 1));
            for (var i = 0; offset + i < input.Length; i++)
            {
                output[offset + i] = (byte)(input[offset + i] ^ last[i]);
            }
        }

        stream.Clear();
    }

    /// <summary>Encrypts counters <paramref name="first"/> .. first + 7 into <paramref name="stream"/>, eight blocks side by side.</summary>
    private void KeyStream(Vector128<byte> j0, uint first, Span<Vector128<byte>> stream)
    {
        var keys = _keys;
        var key0 = keys[0];
        var x0 = Counter(j0, first) ^ key0;
        var x1 = Counter(j0, unchecked(first + 1)) ^ key0;
        var x2 = Counter(j0, unchecked(first + 2)) ^ key0;
        var x3 = Counter(j0, unchecked(first + 3)) ^ key0;
        var x4 = Counter(j0, unchecked(first + 4)) ^ key0;
        var x5 = Counter(j0, unchecked(first + 5)) ^ key0;
        var x6 = Counter(j0, unchecked(first + 6)) ^ key0;
        var x7 = Counter(j0, unchecked(first + 7)) ^ key0;
        var rounds = keys.Length - 1;
        for (var r = 1; r < rounds; r++)
        {
            var key = keys[r];
            x0 = X86Aes.Encrypt(x0, key);
            x1 = X86Aes.Encrypt(x1, key);
            x2 = X86Aes.Encrypt(x2, key);
            x3 = X86Aes.Encrypt(x3, key);
            x4 = X86Aes.Encrypt(x4, key);
            x5 = X86Aes.Encrypt(x5, key);
            x6 = X86Aes.Encrypt(x6, key);
            x7 = X86Aes.Encrypt(x7, key);
        }

        var last = keys[rounds];
        stream[0] = X86Aes.EncryptLast(x0, last);
        stream[1] = X86Aes.EncryptLast(x1, last);
        stream[2] = X86Aes.EncryptLast(x2, last);
        stream[3] = X86Aes.EncryptLast(x3, last);
        stream[4] = X86Aes.EncryptLast(x4, last);
        stream[5] = X86Aes.EncryptLast(x5, last);
        stream[6] = X86Aes.EncryptLast(x6, last);
        stream[7] = X86Aes.EncryptLast(x7, last);
    }

    private Vector128<byte> EncryptBlock(Vector128<byte> block)
    {
        var keys = _keys;
        var x = block ^ keys[0];
        for (var r = 1; r < keys.Length - 1; r++)
        {
            x = X86Aes.Encrypt(x, keys[r]);
        }

        return X86Aes.EncryptLast(x, keys[^1]);
    }
}
