using System.Buffers.Binary;
using System.Collections.Frozen;
using Sasync.Core.PfKey;

namespace Sasync.Core.Sync.Digest;

/// <summary>
/// The <see cref="SnapshotDigest"/> of a kernel's SADB and SPD dumps, from either side of a resync:
/// the MASTER's as its snapshot would carry it (the snapshot's filter applied, as <see cref="SnapshotCursor"/>
/// does), the joining node's as all it holds (no filter: an SA a snapshot would not carry, and a FLUSH
/// would remove, must make the digests differ, never be overlooked).
/// </summary>
internal static class KernelDigest
{
    /// <summary>
    /// The digest of the dumps; false, with the first problem, when a dump is malformed or a record
    /// could not go into a snapshot: then only a full snapshot will do.
    /// </summary>
    /// <param name="sadbDump">NET_KEY_SADB_DUMP.</param>
    /// <param name="spdDump">NET_KEY_SPD_DUMP.</param>
    /// <param name="filter">The MASTER's snapshot filter, or null for every record (the joining node's own kernel).</param>
    /// <param name="digest">The digest, when true.</param>
    /// <param name="problem">Why there is none, when false.</param>
    public static bool TryCompute(ReadOnlyMemory<byte> sadbDump, ReadOnlyMemory<byte> spdDump, SyncFilterContext? filter, out SnapshotDigest digest, out string? problem)
    {
        var builder = new SnapshotDigestBuilder();
        digest = default;
        if (!TryAddAll(sadbDump, sa: true, filter, builder, out problem) || !TryAddAll(spdDump, sa: false, filter, builder, out problem))
        {
            return false;
        }

        digest = builder.Digest;
        return true;
    }

    private static bool TryAddAll(ReadOnlyMemory<byte> dump, bool sa, SyncFilterContext? filter, SnapshotDigestBuilder builder, out string? problem)
    {
        var table = sa ? "SADB" : "SPD";
        var bytes = dump.Span;
        for (var offset = 0; offset < bytes.Length;)
        {
            var remaining = bytes.Length - offset;
            if (remaining < SadbHeader.Size)
            {
                // As PfKeyDumpReader: zero padding ends a dump, anything else is left over.
                problem = bytes[offset..].ContainsAnyExcept((byte)0) ? $"{table} dump: {remaining} bytes left over after the last record" : null;
                return problem is null;
            }

            var length = SadbHeader.Read(bytes[offset..]).ByteLength;
            if (length == 0)
            {
                break;
            }

            if (length > remaining)
            {
                problem = $"{table} dump: a record of {length} bytes at {offset} runs past the end";
                return false;
            }

            var record = dump.Slice(offset, length);
            offset += length;
            if (filter is not null && !InSnapshot(record, sa, filter, out problem))
            {
                if (problem is not null)
                {
                    problem = $"{table} dump: {problem}";
                    return false;
                }

                continue;
            }

            if (!(sa ? builder.TryAddSa(record.Span) : builder.TryAddFlow(record.Span)))
            {
                problem = $"{table} dump: a record at {offset - length} with broken extensions";
                return false;
            }
        }

        problem = null;
        return true;
    }

    // The snapshot's filter and size limit (SnapshotCursor): false with no problem for a record it skips.
    private static bool InSnapshot(ReadOnlyMemory<byte> record, bool sa, SyncFilterContext filter, out string? problem)
    {
        problem = null;
        var allowed = sa ? AllowedExtensions.InAdd : AllowedExtensions.InAddFlow;
        if (!TryScan(record.Span, allowed, out var hasEncryptionKey, out var rebuiltLength))
        {
            problem = "a record with broken extensions";
            return false;
        }

        if (sa && !hasEncryptionKey)
        {
            return false; // larval, or no encryption: the snapshot leaves it out
        }

        if (filter.SkipSlave && filter.PeerAddresses.Count > 0)
        {
            if (!PfKeyMessage.TryParse(record, out var message, out var error))
            {
                problem = error.Message;
                return false;
            }

            if (!SyncFilter.Decide(message, filter, sa ? SadbMessageType.Add : SadbMessageType.XAddFlow).Sync)
            {
                return false;
            }
        }

        if (rebuiltLength > SnapshotCursor.MaxMessageLength)
        {
            problem = $"a record of {rebuiltLength} bytes as a snapshot message, over the {SnapshotCursor.MaxMessageLength}-byte limit";
            return false;
        }

        return true;
    }

    private static bool TryScan(ReadOnlySpan<byte> record, FrozenSet<SadbExtensionType> allowed, out bool hasEncryptionKey, out int rebuiltLength)
    {
        hasEncryptionKey = false;
        rebuiltLength = SadbHeader.Size;
        for (var offset = SadbHeader.Size; offset < record.Length;)
        {
            if (record.Length - offset < PfKeyExtension.HeaderSize)
            {
                return false;
            }

            var length = PfKeyExtension.ReadLengthInUnits(record[offset..]) * 8;
            var type = (SadbExtensionType)BinaryPrimitives.ReadUInt16LittleEndian(record[(offset + 2)..]);
            if (length == 0 || length > record.Length - offset)
            {
                return false;
            }

            hasEncryptionKey |= type == SadbExtensionType.KeyEncrypt;
            rebuiltLength += allowed.Contains(type) ? length : 0;
            offset += length;
        }

        return true;
    }
}
