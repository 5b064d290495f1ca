using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sasync.Core.Wire;

/// <summary>
/// SHA-1 (FIPS 180-4) of up to eight messages at once, one message per 32-bit lane of AVX2 vectors. .NET has no
/// SHA intrinsics and Core may not call OpenSSL directly, whose per-call overhead is two thirds of a frame's hash
/// through IncrementalHash; eight lanes of plain AVX2 integer arithmetic hash a batch of frames for less than one
/// such call each. Lanes of different lengths run for as many blocks as the longest; a lane whose message has
/// ended keeps its state (masked). Allocates nothing; holds no state between calls.
/// </summary>
internal static class MultiBufferSha1
{
    /// <summary>Messages per call at most.</summary>
    public const int Lanes = 8;

    private const int BlockSize = 64;

    // Room for each lane's last one or two blocks: the message's tail, 0x80, zeros, the bit length.
    private const int TailSize = 2 * BlockSize;

    /// <summary>Whether this machine has AVX2; without it callers keep hashing one message at a time.</summary>
    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>
    /// Writes the SHA-1 of <c>source[offsets[i]..][..lengths[i]]</c> to <c>hashes[(20 * i)..][..20]</c> for each of
    /// the 1 to 8 messages.
    /// </summary>
    // Fully optimized from the first call: the daemon's first frames need not crawl through unoptimized vector code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(ReadOnlySpan<byte> source, ReadOnlySpan<int> offsets, ReadOnlySpan<int> lengths, Span<byte> hashes)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("the multi-buffer SHA-1 needs AVX2");
        }

        var count = offsets.Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(offsets));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Lanes, nameof(offsets));
        ArgumentOutOfRangeException.ThrowIfNotEqual(lengths.Length, count, nameof(lengths));
        ArgumentOutOfRangeException.ThrowIfLessThan(hashes.Length, count * FrameLayout.HashSize, nameof(hashes));

        Span<byte> tails = stackalloc byte[Lanes * TailSize];
        tails.Clear();
        Span<int> fullBlocks = stackalloc int[Lanes];
        Span<int> blocks = stackalloc int[Lanes];
        fullBlocks.Clear();
        blocks.Clear();
        var mostBlocks = 0;
        for (var lane = 0; lane < count; lane++)
        {
            // Slicing checks the range lies in the source, so the unchecked loads below stay inside it.
            var message = source.Slice(offsets[lane], lengths[lane]);
            var full = message.Length / BlockSize;
            var rest = message.Length % BlockSize;
            var tail = tails.Slice(lane * TailSize, TailSize);
            message[(full * BlockSize)..].CopyTo(tail);
            tail[rest] = 0x80;
            var tailBlocks = rest + 9 <= BlockSize ? 1 : 2;
            BinaryPrimitives.WriteUInt64BigEndian(tail[((tailBlocks * BlockSize) - 8)..], (ulong)message.Length * 8);
            fullBlocks[lane] = full;
            blocks[lane] = full + tailBlocks;
            mostBlocks = Math.Max(mostBlocks, blocks[lane]);
        }

        var a = Vector256.Create(0x67452301u);
        var b = Vector256.Create(0xEFCDAB89u);
        var c = Vector256.Create(0x98BADCFEu);
        var d = Vector256.Create(0x10325476u);
        var e = Vector256.Create(0xC3D2E1F0u);
        var blockCounts = Vector256.Create(MemoryMarshal.Cast<int, uint>(blocks));
        Span<Vector256<uint>> w = stackalloc Vector256<uint>[16];
        ref var sourceStart = ref MemoryMarshal.GetReference(source);
        ref var tailStart = ref MemoryMarshal.GetReference(tails);
        for (var block = 0; block < mostBlocks; block++)
        {
            for (var lane = 0; lane < Lanes; lane++)
            {
                // A lane past its message (or beyond the count) reads its zeroed tail; its result is masked off.
                ref var bytes = ref Unsafe.Add(ref tailStart, lane * TailSize);
                if (block < fullBlocks[lane])
                {
                    bytes = ref Unsafe.Add(ref sourceStart, offsets[lane] + (block * BlockSize));
                }
                else if (block < blocks[lane])
                {
                    bytes = ref Unsafe.Add(ref bytes, (block - fullBlocks[lane]) * BlockSize);
                }

                w[lane] = ByteSwap(Vector256.LoadUnsafe(ref bytes));
                w[Lanes + lane] = ByteSwap(Vector256.LoadUnsafe(ref bytes, 32));
            }

            Transpose(w[..Lanes]);
            Transpose(w[Lanes..]);
            var active = Vector256.GreaterThan(blockCounts, Vector256.Create((uint)block));
            Compress(w, ref a, ref b, ref c, ref d, ref e, active);
        }

        for (var lane = 0; lane < count; lane++)
        {
            var hash = hashes.Slice(lane * FrameLayout.HashSize, FrameLayout.HashSize);
            BinaryPrimitives.WriteUInt32BigEndian(hash, a.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(hash[4..], b.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(hash[8..], c.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(hash[12..], d.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(hash[16..], e.GetElement(lane));
        }

        // The tails held the messages' last bytes (plaintext).
        tails.Clear();
        w.Clear();
    }

    /// <summary>The 80 rounds over one block per lane; lanes outside <paramref name="active"/> keep their state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compress(Span<Vector256<uint>> schedule, ref Vector256<uint> h0, ref Vector256<uint> h1, ref Vector256<uint> h2, ref Vector256<uint> h3, ref Vector256<uint> h4, Vector256<uint> active)
    {
        ref var w = ref MemoryMarshal.GetReference(schedule);
        var a = h0;
        var b = h1;
        var c = h2;
        var d = h3;
        var e = h4;

        // Five rounds per step, renaming the working variables instead of moving them.
        var k = Vector256.Create(0x5A827999u);
        for (var t = 0; t < 20; t += 5)
        {
            e += RotateLeft(a, 5) + Choose(b, c, d) + k + Word(ref w, t);
            b = RotateLeft(b, 30);
            d += RotateLeft(e, 5) + Choose(a, b, c) + k + Word(ref w, t + 1);
            a = RotateLeft(a, 30);
            c += RotateLeft(d, 5) + Choose(e, a, b) + k + Word(ref w, t + 2);
            e = RotateLeft(e, 30);
            b += RotateLeft(c, 5) + Choose(d, e, a) + k + Word(ref w, t + 3);
            d = RotateLeft(d, 30);
            a += RotateLeft(b, 5) + Choose(c, d, e) + k + Word(ref w, t + 4);
            c = RotateLeft(c, 30);
        }

        k = Vector256.Create(0x6ED9EBA1u);
        for (var t = 20; t < 40; t += 5)
        {
            e += RotateLeft(a, 5) + (b ^ c ^ d) + k + Word(ref w, t);
            b = RotateLeft(b, 30);
            d += RotateLeft(e, 5) + (a ^ b ^ c) + k + Word(ref w, t + 1);
            a = RotateLeft(a, 30);
            c += RotateLeft(d, 5) + (e ^ a ^ b) + k + Word(ref w, t + 2);
            e = RotateLeft(e, 30);
            b += RotateLeft(c, 5) + (d ^ e ^ a) + k + Word(ref w, t + 3);
            d = RotateLeft(d, 30);
            a += RotateLeft(b, 5) + (c ^ d ^ e) + k + Word(ref w, t + 4);
            c = RotateLeft(c, 30);
        }

        k = Vector256.Create(0x8F1BBCDCu);
        for (var t = 40; t < 60; t += 5)
        {
            e += RotateLeft(a, 5) + Majority(b, c, d) + k + Word(ref w, t);
            b = RotateLeft(b, 30);
            d += RotateLeft(e, 5) + Majority(a, b, c) + k + Word(ref w, t + 1);
            a = RotateLeft(a, 30);
            c += RotateLeft(d, 5) + Majority(e, a, b) + k + Word(ref w, t + 2);
            e = RotateLeft(e, 30);
            b += RotateLeft(c, 5) + Majority(d, e, a) + k + Word(ref w, t + 3);
            d = RotateLeft(d, 30);
            a += RotateLeft(b, 5) + Majority(c, d, e) + k + Word(ref w, t + 4);
            c = RotateLeft(c, 30);
        }

        k = Vector256.Create(0xCA62C1D6u);
        for (var t = 60; t < 80; t += 5)
        {
            e += RotateLeft(a, 5) + (b ^ c ^ d) + k + Word(ref w, t);
            b = RotateLeft(b, 30);
            d += RotateLeft(e, 5) + (a ^ b ^ c) + k + Word(ref w, t + 1);
            a = RotateLeft(a, 30);
            c += RotateLeft(d, 5) + (e ^ a ^ b) + k + Word(ref w, t + 2);
            e = RotateLeft(e, 30);
            b += RotateLeft(c, 5) + (d ^ e ^ a) + k + Word(ref w, t + 3);
            d = RotateLeft(d, 30);
            a += RotateLeft(b, 5) + (c ^ d ^ e) + k + Word(ref w, t + 4);
            c = RotateLeft(c, 30);
        }

        h0 = Vector256.ConditionalSelect(active, h0 + a, h0);
        h1 = Vector256.ConditionalSelect(active, h1 + b, h1);
        h2 = Vector256.ConditionalSelect(active, h2 + c, h2);
        h3 = Vector256.ConditionalSelect(active, h3 + d, h3);
        h4 = Vector256.ConditionalSelect(active, h4 + e, h4);
    }

    /// <summary>The schedule's word <paramref name="t"/>, kept in a ring of 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Word(ref Vector256<uint> w, int t)
    {
        if (t < 16)
        {
            return Unsafe.Add(ref w, t);
        }

        var next = RotateLeft(Unsafe.Add(ref w, (t - 3) & 15) ^ Unsafe.Add(ref w, (t - 8) & 15) ^ Unsafe.Add(ref w, (t - 14) & 15) ^ Unsafe.Add(ref w, t & 15), 1);
        Unsafe.Add(ref w, t & 15) = next;
        return next;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Choose(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) => z ^ (x & (y ^ z));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Majority(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) => (x & y) | (z & (x | y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RotateLeft(Vector256<uint> x, int n) =>
        Vector256.ShiftLeft(x, n) | Vector256.ShiftRightLogical(x, 32 - n);

    // SHA-1 reads big-endian words.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> ByteSwap(Vector256<byte> bytes) =>
        Avx2.Shuffle(bytes, Vector256.Create((byte)3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12)).AsUInt32();

    /// <summary>Eight rows of eight words become eight columns: row i's word j moves to row j's word i.</summary>
    private static void Transpose(Span<Vector256<uint>> rows)
    {
        var t0 = Avx2.UnpackLow(rows[0], rows[1]);
        var t1 = Avx2.UnpackHigh(rows[0], rows[1]);
        var t2 = Avx2.UnpackLow(rows[2], rows[3]);
        var t3 = Avx2.UnpackHigh(rows[2], rows[3]);
        var t4 = Avx2.UnpackLow(rows[4], rows[5]);
        var t5 = Avx2.UnpackHigh(rows[4], rows[5]);
        var t6 = Avx2.UnpackLow(rows[6], rows[7]);
        var t7 = Avx2.UnpackHigh(rows[6], rows[7]);
        var s0 = Pairs(t0, t2, 0x44);
        var s1 = Pairs(t0, t2, 0xEE);
        var s2 = Pairs(t1, t3, 0x44);
        var s3 = Pairs(t1, t3, 0xEE);
        var s4 = Pairs(t4, t6, 0x44);
        var s5 = Pairs(t4, t6, 0xEE);
        var s6 = Pairs(t5, t7, 0x44);
        var s7 = Pairs(t5, t7, 0xEE);
        rows[0] = Avx2.Permute2x128(s0, s4, 0x20);
        rows[1] = Avx2.Permute2x128(s1, s5, 0x20);
        rows[2] = Avx2.Permute2x128(s2, s6, 0x20);
        rows[3] = Avx2.Permute2x128(s3, s7, 0x20);
        rows[4] = Avx2.Permute2x128(s0, s4, 0x31);
        rows[5] = Avx2.Permute2x128(s1, s5, 0x31);
        rows[6] = Avx2.Permute2x128(s2, s6, 0x31);
        rows[7] = Avx2.Permute2x128(s3, s7, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Pairs(Vector256<uint> x, Vector256<uint> y, [ConstantExpected] byte control) =>
        Avx.Shuffle(x.AsSingle(), y.AsSingle(), control).AsUInt32();
}
