using System.Buffers.Binary;
using Sasync.Core.Sync.Digest;

namespace Sasync.Core.Wire;

/// <summary>
/// DIGEST, a sasyncd-cs control message sent only on the extended channel: the joining node's digest of
/// what its kernel holds, before the MASTER's snapshot, so that the MASTER can send ENDSNAP alone when
/// its own snapshot would carry the same. <see cref="Epoch"/> names the MASTER period it answers: the
/// count of times the receiver announced MASTER on this session (a STATE or ACK saying MASTER after one
/// that did not), so a digest made for an earlier period is told apart and ignored.
/// </summary>
/// <remarks>
/// Layout, big-endian: <c>u32 type (0x53430010) | u32 epoch | u32 SAs | u32 flows | 32 bytes sum</c>,
/// 48 bytes (<see cref="SnapshotDigest"/>). A reader accepts trailing bytes, so that a later version can extend it.
/// </remarks>
/// <param name="Epoch">The receiver's MASTER period on this session that the digest was made for (from 1).</param>
/// <param name="Digest">The digest of the sender's kernel.</param>
public readonly record struct DigestMessage(uint Epoch, SnapshotDigest Digest)
{
    /// <summary>The control message type of a DIGEST ("SC" and 0x10).</summary>
    public const uint Type = 0x53430010;

    /// <summary>Bytes of a DIGEST as this version writes it.</summary>
    public const int Size = 16 + SnapshotDigest.SumSize;

    /// <summary>Writes the <see cref="Size"/> bytes at the start of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="destination"/> is shorter than <see cref="Size"/>.</exception>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Type);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Epoch);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Digest.Sas);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], Digest.Flows);
        Digest.WriteSum(destination[16..Size]);
    }

    /// <summary>This DIGEST as a new array of <see cref="Size"/> bytes, the plaintext of its control message.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>True when a control plaintext claims to be a DIGEST (by its type), whether or not it is whole.</summary>
    public static bool IsDigest(ReadOnlySpan<byte> plaintext) =>
        plaintext.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(plaintext) == Type;

    /// <summary>Reads a DIGEST; false when the type differs or the plaintext is shorter than <see cref="Size"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> plaintext, out DigestMessage message)
    {
        if (plaintext.Length < Size || !IsDigest(plaintext))
        {
            message = default;
            return false;
        }

        message = new DigestMessage(
            BinaryPrimitives.ReadUInt32BigEndian(plaintext[4..]),
            SnapshotDigest.FromSum(BinaryPrimitives.ReadUInt32BigEndian(plaintext[8..]), BinaryPrimitives.ReadUInt32BigEndian(plaintext[12..]), plaintext[16..Size]));
        return true;
    }
}
