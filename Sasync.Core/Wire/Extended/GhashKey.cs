using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sasync.Core.Wire.Extended;

/// <summary>
/// GCM's GHASH under one hash key H, on PCLMULQDQ, four blocks per reduction (H, H^2, H^3 and H^4 are computed once).
/// Each block is byte-reversed as it is loaded, so a field element's x^0 is the integer's top bit; in that order the
/// carry-less product of two elements comes out multiplied by x, which the stored powers cancel by being kept
/// divided by x. The reduction folds the low half twice, 64 bits at a time, with the bit-reversed field polynomial.
/// Allocates nothing after construction. Not thread-safe.
/// </summary>
internal sealed class GhashKey : IDisposable
{
    private const int Block = 16;
    private const int FourBlocks = 4 * Block;

    // x^-1 in the reversed order: x^127 + x^6 + x + 1. Its high half is also the fold constant (x^121 + x^126 + x^127, shifted down 64).
    private static readonly Vector128<ulong> InverseOfX = Vector128.Create(1UL, 0xC200000000000000UL);

    private KeyPowers _powers;
    private bool _disposed;

    /// <param name="hashKey">H = the block cipher's encryption of the zero block (16 bytes).</param>
    public GhashKey(ReadOnlySpan<byte> hashKey)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("GHASH here needs PCLMULQDQ and SSSE3");
        }

        if (hashKey.Length != Block)
        {
            throw new ArgumentException($"a GHASH key is {Block} bytes", nameof(hashKey));
        }

        var h = DivideByX(Load(hashKey));
        _powers[0] = h;
        for (var i = 1; i < 4; i++)
        {
            var low = Vector128<ulong>.Zero;
            var middle = Vector128<ulong>.Zero;
            var high = Vector128<ulong>.Zero;
            MultiplyAdd(_powers[i - 1], h, ref low, ref middle, ref high);
            _powers[i] = Reduce(low, middle, high);
        }
    }

    /// <summary>Whether this machine has the instructions GHASH here runs on.</summary>
    public static bool IsSupported => Pclmulqdq.IsSupported && Ssse3.IsSupported;

    /// <summary>
    /// GHASH(A, C) as GCM defines it: the associated data zero-padded to whole blocks, then the ciphertext zero-padded,
    /// then the block of both lengths in bits. Writes the 16-byte result to <paramref name="digest"/>.
    /// </summary>
    public void Compute(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> digest)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(digest.Length, Block);
        Span<byte> tail = stackalloc byte[FourBlocks + Block];

        var state = AbsorbWholeGroups(Vector128<ulong>.Zero, associatedData, out var rest);
        tail.Clear();
        rest.CopyTo(tail);
        state = AbsorbBlocks(state, tail[..RoundUp(rest.Length)]);

        // The ciphertext's last blocks and the length block share one reduction.
        state = AbsorbWholeGroups(state, ciphertext, out rest);
        tail.Clear();
        rest.CopyTo(tail);
        var padded = RoundUp(rest.Length);
        BinaryPrimitives.WriteUInt64BigEndian(tail[padded..], (ulong)associatedData.Length * 8);
        BinaryPrimitives.WriteUInt64BigEndian(tail[(padded + 8)..], (ulong)ciphertext.Length * 8);
        state = AbsorbBlocks(state, tail[..(padded + Block)]);

        Store(state, digest);
    }

    /// <summary>Forgets H and its powers.</summary>
    public void Dispose()
    {
        ((Span<Vector128<ulong>>)_powers).Clear();
        _disposed = true;
    }

    private static int RoundUp(int length) => (length + Block - 1) & ~(Block - 1);

    /// <summary>Absorbs the whole 64-byte groups of <paramref name="data"/>; <paramref name="rest"/> is what is left (under 64 bytes).</summary>
    private Vector128<ulong> AbsorbWholeGroups(Vector128<ulong> state, ReadOnlySpan<byte> data, out ReadOnlySpan<byte> rest)
    {
        var whole = data.Length & ~(FourBlocks - 1);
        rest = data[whole..];
        return AbsorbBlocks(state, data[..whole]);
    }

    /// <summary>Absorbs whole blocks: each group of four, then the one to three left, with one reduction per group.</summary>
    private Vector128<ulong> AbsorbBlocks(Vector128<ulong> state, ReadOnlySpan<byte> blocks)
    {
        ref readonly var powers = ref _powers;
        var offset = 0;
        while (offset < blocks.Length)
        {
            var count = Math.Min(4, (blocks.Length - offset) / Block);
            var low = Vector128<ulong>.Zero;
            var middle = Vector128<ulong>.Zero;
            var high = Vector128<ulong>.Zero;
            // Horner's rule unrolled: (state + X1)·H^n + X2·H^(n-1) + ... + Xn·H, reduced once.
            MultiplyAdd(state ^ Load(blocks.Slice(offset, Block)), powers[count - 1], ref low, ref middle, ref high);
            for (var i = 1; i < count; i++)
            {
                MultiplyAdd(Load(blocks.Slice(offset + (i * Block), Block)), powers[count - 1 - i], ref low, ref middle, ref high);
            }

            state = Reduce(low, middle, high);
            offset += count * Block;
        }

        return state;
    }

    /// <summary>Adds the 256-bit carry-less product of <paramref name="a"/> and <paramref name="b"/>, as low, middle (at bit 64) and high halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAdd(Vector128<ulong> a, Vector128<ulong> b, ref Vector128<ulong> low, ref Vector128<ulong> middle, ref Vector128<ulong> high)
    {
        low ^= Pclmulqdq.CarrylessMultiply(a, b, 0x00);
        high ^= Pclmulqdq.CarrylessMultiply(a, b, 0x11);
        middle ^= Pclmulqdq.CarrylessMultiply(a, b, 0x01) ^ Pclmulqdq.CarrylessMultiply(a, b, 0x10);
    }

    /// <summary>The 256-bit product modulo the field polynomial, in the reversed order (where its low half holds the high powers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Reduce(Vector128<ulong> low, Vector128<ulong> middle, Vector128<ulong> high)
    {
        low ^= Sse2.ShiftLeftLogical128BitLane(middle, 8);
        high ^= Sse2.ShiftRightLogical128BitLane(middle, 8);
        return Fold(Fold(low)) ^ high;
    }

    /// <summary>Cancels the low 64 bits with a multiple of the reversed polynomial and moves the rest down 64 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> value) =>
        Sse2.Shuffle(value.AsUInt32(), 0b01_00_11_10).AsUInt64() ^ Pclmulqdq.CarrylessMultiply(value, InverseOfX, 0x10);

    /// <summary>H·x^-1: in the reversed order a one-bit shift up, with x^-1 added for the x^0 term shifted out.</summary>
    private static Vector128<ulong> DivideByX(Vector128<ulong> h)
    {
        var low = h.GetElement(0);
        var high = h.GetElement(1);
        var shifted = Vector128.Create(low << 1, (high << 1) | (low >> 63));
        return (high >> 63) == 0 ? shifted : shifted ^ InverseOfX;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Load(ReadOnlySpan<byte> block) =>
        Ssse3.Shuffle(Vector128.Create(block), ByteReversal).AsUInt64();

    private static void Store(Vector128<ulong> state, Span<byte> block) =>
        Ssse3.Shuffle(state.AsByte(), ByteReversal).CopyTo(block);

    private static Vector128<byte> ByteReversal => Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);

    /// <summary>H·x^-1, H^2·x^-1, H^3·x^-1, H^4·x^-1.</summary>
    [InlineArray(4)]
    private struct KeyPowers
    {
        private Vector128<ulong> _element;
    }
}
