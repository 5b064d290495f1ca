using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace Sasync.Core.Wire;

/// <summary>
/// The SHA-1 of a frame's plaintext, over one reused BCL hash (OpenSSL, SHA-NI where the CPU has it).
/// Measured on 208-byte payloads (bench codec --primitives), it beats the BCL's one-shot SHA1.HashData, which
/// sets up an OpenSSL context per call, by about a quarter, and BouncyCastle's managed Sha1Digest by about half.
/// About two thirds of its time is still call overhead (three native calls per hash, each clearing OpenSSL's
/// error queue) that no BCL API avoids: the hashing itself would take about 200 ns. Batches of frames are hashed
/// eight at a time by <see cref="MultiBufferSha1"/> instead where the CPU has AVX2; this is for lone frames. Not thread-safe; its
/// native context is freed with it, as the codec's owner drops it (one per connection).
/// </summary>
internal sealed class FrameDigest
{
    private readonly IncrementalHash _sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);

    /// <summary>Writes the SHA-1 of <paramref name="plaintext"/> to the first 20 bytes of <paramref name="hash"/>.</summary>
    public void Compute(ReadOnlySpan<byte> plaintext, Span<byte> hash)
    {
        _sha1.AppendData(plaintext);
        _sha1.GetHashAndReset(hash);
    }

    /// <summary>
    /// Whether two 20-byte hashes are equal, in time that does not depend on where they differ. The BCL's
    /// CryptographicOperations.FixedTimeEquals does the same but is compiled without optimization, which cost
    /// about 110 ns per frame, an eighth of a decode; this is two XORs and one test.
    /// </summary>
    public static bool HashesEqual(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(a.Length, FrameLayout.HashSize);
        ArgumentOutOfRangeException.ThrowIfNotEqual(b.Length, FrameLayout.HashSize);
        var head = Vector128.Create(a[..16]) ^ Vector128.Create(b[..16]);
        var tail = BinaryPrimitives.ReadUInt32LittleEndian(a[16..]) ^ BinaryPrimitives.ReadUInt32LittleEndian(b[16..]);
        return (head | Vector128.CreateScalar(tail).AsByte()) == Vector128<byte>.Zero;
    }
}
