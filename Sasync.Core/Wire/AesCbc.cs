using System.Runtime.Intrinsics;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Sasync.Core.Wire;

/// <summary>
/// AES-CBC without padding over BouncyCastle's AES engine (AES-NI where the CPU has it), keyed once per
/// codec, with a new IV per message and no allocation. Measured on 208-byte payloads (bench codec --primitives):
/// the BCL's one-shot Aes.EncryptCbc/DecryptCbc set the key up again on every call and cost 8-30x more, its
/// reusable ECB transform pays about 190 ns of OpenSSL call overhead per call, and BouncyCastle's
/// CbcBlockCipher allocates in Init for each IV; so the chaining is done here, around the bare engine.
/// Decryption, whose blocks are independent, runs four blocks at a time through the engine's interleaved
/// AES-NI path and then undoes the chaining, about 1.6x as fast as one block at a time.
/// The codec uses <see cref="AesNiCbc"/> instead where the CPU has AES-NI; this is its path without it.
/// </summary>
internal static class AesCbc
{
    private const int Block = FrameLayout.BlockSize;
    private const int FourBlocks = 4 * Block;

    /// <summary>An AES engine keyed for one direction. Not thread-safe.</summary>
    public static IBlockCipher CreateEngine(bool forEncryption, ReadOnlySpan<byte> key)
    {
        var engine = AesUtilities.CreateEngine();
        engine.Init(forEncryption, new KeyParameter(key));
        return engine;
    }

    /// <summary>
    /// Encrypts whole blocks. <paramref name="chain"/> is the IV on entry and the last ciphertext block on
    /// return, so a message can be encrypted in pieces. Each block is mixed into its output slot and
    /// encrypted there in place, so no plaintext is left in a scratch buffer.
    /// </summary>
    public static void Encrypt(IBlockCipher aes, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, ref Vector128<byte> chain)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ciphertext.Length, plaintext.Length);
        for (var offset = 0; offset < plaintext.Length; offset += Block)
        {
            var output = ciphertext.Slice(offset, Block);
            (Vector128.Create(plaintext.Slice(offset, Block)) ^ chain).CopyTo(output);
            aes.ProcessBlock(output, output);
            chain = Vector128.Create((ReadOnlySpan<byte>)output);
        }
    }

    /// <summary>
    /// Decrypts whole blocks: first every block on its own (four at a time where the engine can), then each
    /// output block is XORed with the ciphertext block before it (the IV for the first). The ciphertext is
    /// read after the first pass, so <paramref name="plaintext"/> must not overlap it.
    /// </summary>
    public static void Decrypt(IBlockCipher aes, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, Vector128<byte> iv)
    {
        if (aes is not AesEngine_X86 interleaved)
        {
            DecryptBlockByBlock(aes, ciphertext, plaintext, iv);
            return;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(plaintext.Length, ciphertext.Length);
        if (plaintext.Overlaps(ciphertext))
        {
            throw new ArgumentException("the plaintext must not overlap the ciphertext", nameof(plaintext));
        }

        var offset = 0;
        for (; offset + FourBlocks <= ciphertext.Length; offset += FourBlocks)
        {
            interleaved.ProcessFourBlocks(ciphertext.Slice(offset, FourBlocks), plaintext.Slice(offset, FourBlocks));
        }

        for (; offset < ciphertext.Length; offset += Block)
        {
            interleaved.ProcessBlock(ciphertext.Slice(offset, Block), plaintext.Slice(offset, Block));
        }

        var previous = iv;
        for (offset = 0; offset < ciphertext.Length; offset += Block)
        {
            var output = plaintext.Slice(offset, Block);
            (Vector128.Create((ReadOnlySpan<byte>)output) ^ previous).CopyTo(output);
            previous = Vector128.Create(ciphertext.Slice(offset, Block));
        }
    }

    /// <summary>
    /// Decrypts whole blocks one at a time, chaining as it goes: the path for an engine without the
    /// four-block call (no AES-NI), and the reference the four-block path is tested and measured against.
    /// </summary>
    public static void DecryptBlockByBlock(IBlockCipher aes, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, Vector128<byte> iv)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(plaintext.Length, ciphertext.Length);
        var chain = iv;
        for (var offset = 0; offset < ciphertext.Length; offset += Block)
        {
            var input = Vector128.Create(ciphertext.Slice(offset, Block));
            var output = plaintext.Slice(offset, Block);
            aes.ProcessBlock(ciphertext.Slice(offset, Block), output);
            (Vector128.Create((ReadOnlySpan<byte>)output) ^ chain).CopyTo(output);
            chain = input;
        }
    }
}
