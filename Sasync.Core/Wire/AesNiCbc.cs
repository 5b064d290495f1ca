using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Sasync.Core.Wire;

/// <summary>
/// AES-CBC on the AES-NI instructions directly, with eight blocks in flight: block n of eight messages when
/// encrypting (each message's chain is serial, the messages are independent), eight blocks of one message when
/// decrypting. BouncyCastle's engine keeps four in flight and its round keys private; the CPU's AES units take a
/// new block every cycle or so while one block's round takes several, so eight keep them busier. Keyed once (round
/// keys for both directions from the FIPS 197 expansion); allocates nothing per message. Not thread-safe in use.
/// </summary>
internal sealed class AesNiCbc
{
    /// <summary>Messages <see cref="EncryptInPlace"/> encrypts side by side at most.</summary>
    public const int Lanes = 8;

    private const int Block = FrameLayout.BlockSize;

    private readonly Vector128<byte>[] _encryptKeys;
    private readonly Vector128<byte>[] _decryptKeys;
    private readonly int _rounds;

    /// <summary>Round keys for an AES-128, -192 or -256 key.</summary>
    public AesNiCbc(ReadOnlySpan<byte> key)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("this AES-CBC needs AES-NI");
        }

        if (key.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException("an AES key is 16, 24 or 32 bytes", nameof(key));
        }

        _encryptKeys = EncryptionRoundKeys(key);
        _rounds = _encryptKeys.Length - 1;
        _decryptKeys = new Vector128<byte>[_rounds + 1];
        // The equivalent inverse cipher's keys, as AESDEC takes them.
        _decryptKeys[0] = _encryptKeys[_rounds];
        for (var r = 1; r < _rounds; r++)
        {
            _decryptKeys[r] = X86Aes.InverseMixColumns(_encryptKeys[_rounds - r]);
        }

        _decryptKeys[_rounds] = _encryptKeys[0];
    }

    /// <summary>The round keys AESENC takes for an AES-128, -192 or -256 key (FIPS 197's expansion): 11, 13 or 15.</summary>
    public static Vector128<byte>[] EncryptionRoundKeys(ReadOnlySpan<byte> key)
    {
        if (key.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException("an AES key is 16, 24 or 32 bytes", nameof(key));
        }

        var keyWords = key.Length / 4;
        var rounds = keyWords + 6;
        Span<uint> words = stackalloc uint[4 * 15];
        words = words[..(4 * (rounds + 1))];
        for (var i = 0; i < keyWords; i++)
        {
            words[i] = BinaryPrimitives.ReadUInt32LittleEndian(key[(4 * i)..]);
        }

        // FIPS 197 section 5.2, on little-endian words (byte 0 of the word is its low byte).
        uint roundConstant = 1;
        for (var i = keyWords; i < words.Length; i++)
        {
            var temp = words[i - 1];
            if (i % keyWords == 0)
            {
                temp = SubWord((temp >> 8) | (temp << 24)) ^ roundConstant;
                roundConstant = (roundConstant << 1) ^ ((roundConstant & 0x80) != 0 ? 0x11Bu : 0);
            }
            else if (keyWords > 6 && i % keyWords == 4)
            {
                temp = SubWord(temp);
            }

            words[i] = words[i - keyWords] ^ temp;
        }

        var keys = new Vector128<byte>[rounds + 1];
        for (var r = 0; r <= rounds; r++)
        {
            keys[r] = Vector128.Create(MemoryMarshal.AsBytes(words.Slice(4 * r, 4)));
        }

        words.Clear();
        return keys;
    }

    /// <summary>Whether the CPU has AES-NI.</summary>
    public static bool IsSupported => X86Aes.IsSupported;

    /// <summary>
    /// CBC-encrypts in place up to eight padded messages at once: <c>buffer[offsets[i]..][..lengths[i]]</c> (whole
    /// blocks) under <paramref name="ivs"/>[i]. A message shorter than the others rides along with a block that is thrown away.
    /// </summary>
    public void EncryptInPlace(Span<byte> buffer, ReadOnlySpan<int> offsets, ReadOnlySpan<int> lengths, ReadOnlySpan<Vector128<byte>> ivs)
    {
        var count = offsets.Length;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Lanes, nameof(offsets));
        ArgumentOutOfRangeException.ThrowIfNotEqual(lengths.Length, count, nameof(lengths));
        ArgumentOutOfRangeException.ThrowIfNotEqual(ivs.Length, count, nameof(ivs));
        Span<Vector128<byte>> chains = stackalloc Vector128<byte>[Lanes];
        chains.Clear();
        ivs.CopyTo(chains);
        Span<int> ends = stackalloc int[Lanes];
        ends.Clear();
        var longest = 0;
        for (var i = 0; i < count; i++)
        {
            if (lengths[i] % Block != 0)
            {
                throw new ArgumentException("a message to encrypt is whole blocks", nameof(lengths));
            }

            // Slicing checks each message lies in the buffer.
            _ = buffer.Slice(offsets[i], lengths[i]);
            ends[i] = lengths[i];
            longest = Math.Max(longest, lengths[i]);
        }

        var keys = _encryptKeys;
        for (var offset = 0; offset < longest; offset += Block)
        {
            var x0 = In(buffer, offsets, ends, 0, offset, chains[0]) ^ keys[0];
            var x1 = In(buffer, offsets, ends, 1, offset, chains[1]) ^ keys[0];
            var x2 = In(buffer, offsets, ends, 2, offset, chains[2]) ^ keys[0];
            var x3 = In(buffer, offsets, ends, 3, offset, chains[3]) ^ keys[0];
            var x4 = In(buffer, offsets, ends, 4, offset, chains[4]) ^ keys[0];
            var x5 = In(buffer, offsets, ends, 5, offset, chains[5]) ^ keys[0];
            var x6 = In(buffer, offsets, ends, 6, offset, chains[6]) ^ keys[0];
            var x7 = In(buffer, offsets, ends, 7, offset, chains[7]) ^ keys[0];
            for (var r = 1; r < _rounds; r++)
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

            var last = keys[_rounds];
            Out(buffer, offsets, ends, 0, offset, chains, X86Aes.EncryptLast(x0, last));
            Out(buffer, offsets, ends, 1, offset, chains, X86Aes.EncryptLast(x1, last));
            Out(buffer, offsets, ends, 2, offset, chains, X86Aes.EncryptLast(x2, last));
            Out(buffer, offsets, ends, 3, offset, chains, X86Aes.EncryptLast(x3, last));
            Out(buffer, offsets, ends, 4, offset, chains, X86Aes.EncryptLast(x4, last));
            Out(buffer, offsets, ends, 5, offset, chains, X86Aes.EncryptLast(x5, last));
            Out(buffer, offsets, ends, 6, offset, chains, X86Aes.EncryptLast(x6, last));
            Out(buffer, offsets, ends, 7, offset, chains, X86Aes.EncryptLast(x7, last));
        }
    }

    /// <summary>
    /// Encrypts whole blocks one after the other (a lone message's chain is serial). <paramref name="chain"/> is the
    /// IV on entry and the last ciphertext block on return. The buffers may be the same.
    /// </summary>
    public void Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, ref Vector128<byte> chain)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ciphertext.Length, plaintext.Length);
        var keys = _encryptKeys;
        for (var offset = 0; offset + Block <= plaintext.Length; offset += Block)
        {
            var x = Vector128.Create(plaintext.Slice(offset, Block)) ^ chain ^ keys[0];
            for (var r = 1; r < _rounds; r++)
            {
                x = X86Aes.Encrypt(x, keys[r]);
            }

            chain = X86Aes.EncryptLast(x, keys[_rounds]);
            chain.CopyTo(ciphertext.Slice(offset, Block));
        }
    }

    /// <summary>
    /// Decrypts whole blocks, eight at a time (a group short of eight carries zero blocks that are thrown away),
    /// each XORed with the ciphertext block before it (the IV for the first). The buffers must not overlap.
    /// </summary>
    public void Decrypt(ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, Vector128<byte> iv)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(plaintext.Length, ciphertext.Length);
        if (plaintext.Overlaps(ciphertext))
        {
            throw new ArgumentException("the plaintext must not overlap the ciphertext", nameof(plaintext));
        }

        var blocks = ciphertext.Length / Block;
        var keys = _decryptKeys;
        var previous = iv;
        for (var first = 0; first < blocks; first += Lanes)
        {
            var n = Math.Min(Lanes, blocks - first);
            var group = ciphertext.Slice(first * Block, n * Block);
            var c0 = Block0(group, 0, n);
            var c1 = Block0(group, 1, n);
            var c2 = Block0(group, 2, n);
            var c3 = Block0(group, 3, n);
            var c4 = Block0(group, 4, n);
            var c5 = Block0(group, 5, n);
            var c6 = Block0(group, 6, n);
            var c7 = Block0(group, 7, n);
            var x0 = c0 ^ keys[0];
            var x1 = c1 ^ keys[0];
            var x2 = c2 ^ keys[0];
            var x3 = c3 ^ keys[0];
            var x4 = c4 ^ keys[0];
            var x5 = c5 ^ keys[0];
            var x6 = c6 ^ keys[0];
            var x7 = c7 ^ keys[0];
            for (var r = 1; r < _rounds; r++)
            {
                var key = keys[r];
                x0 = X86Aes.Decrypt(x0, key);
                x1 = X86Aes.Decrypt(x1, key);
                x2 = X86Aes.Decrypt(x2, key);
                x3 = X86Aes.Decrypt(x3, key);
                x4 = X86Aes.Decrypt(x4, key);
                x5 = X86Aes.Decrypt(x5, key);
                x6 = X86Aes.Decrypt(x6, key);
                x7 = X86Aes.Decrypt(x7, key);
            }

            var last = keys[_rounds];
            var output = plaintext.Slice(first * Block, n * Block);
            Store(output, 0, n, X86Aes.DecryptLast(x0, last) ^ previous);
            Store(output, 1, n, X86Aes.DecryptLast(x1, last) ^ c0);
            Store(output, 2, n, X86Aes.DecryptLast(x2, last) ^ c1);
            Store(output, 3, n, X86Aes.DecryptLast(x3, last) ^ c2);
            Store(output, 4, n, X86Aes.DecryptLast(x4, last) ^ c3);
            Store(output, 5, n, X86Aes.DecryptLast(x5, last) ^ c4);
            Store(output, 6, n, X86Aes.DecryptLast(x6, last) ^ c5);
            Store(output, 7, n, X86Aes.DecryptLast(x7, last) ^ c6);
            previous = c7;
        }
    }

    // S-box of each byte of the word: AESKEYGENASSIST gives SubWord of its second word in its first.
    private static uint SubWord(uint word) => X86Aes.KeygenAssist(Vector128.Create(0u, word, 0u, 0u).AsByte(), 0).AsUInt32().GetElement(0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> In(ReadOnlySpan<byte> buffer, ReadOnlySpan<int> offsets, ReadOnlySpan<int> ends, int lane, int offset, Vector128<byte> chain) =>
        offset < ends[lane] ? Vector128.Create(buffer.Slice(offsets[lane] + offset, Block)) ^ chain : chain;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Out(Span<byte> buffer, ReadOnlySpan<int> offsets, ReadOnlySpan<int> ends, int lane, int offset, Span<Vector128<byte>> chains, Vector128<byte> block)
    {
        if (offset < ends[lane])
        {
            block.CopyTo(buffer.Slice(offsets[lane] + offset, Block));
            chains[lane] = block;
        }
    }

    // Block i of a group of n, or a zero block past its end (only the last group is short).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Block0(ReadOnlySpan<byte> group, int i, int n) => i < n ? Vector128.Create(group.Slice(i * Block, Block)) : Vector128<byte>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<byte> output, int i, int n, Vector128<byte> block)
    {
        if (i < n)
        {
            block.CopyTo(output.Slice(i * Block, Block));
        }
    }
}
