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
/// <remarks>
/// A dump is added chunk by chunk (<see cref="Add"/>, as the host reads it), or whole (<see cref="TryCompute"/>).
/// Chunks hold whole records, so each is read as a dump of its own; a table ends where a chunk stops short
/// (a zero length or padding), as the whole dump would.
/// </remarks>
internal sealed class KernelDigest(SyncFilterContext? filter)
{
    private readonly SnapshotDigestBuilder _builder = new();
    private bool _sadbEnded;
    private bool _spdEnded;

    /// <summary>The first problem met, if any: then there is no digest and only a full snapshot will do.</summary>
    public string? Problem { get; private set; }

    /// <summary>The digest of what was added, when there was no problem.</summary>
    public SnapshotDigest? Digest => Problem is null ? _builder.Digest : null;

    /// <summary>Adds a chunk of whole records of <paramref name="table"/>.</summary>
    public void Add(Platform.KernelDumpTable table, ReadOnlyMemory<byte> records)
    {
        var sa = table == Platform.KernelDumpTable.Sadb;
        ref var ended = ref sa ? ref _sadbEnded : ref _spdEnded;
        if (Problem is not null || ended)
        {
            return;
        }

        if (!TryAddAll(records, sa, filter, _builder, out var problem, out var stoppedShort))
        {
            Problem = problem;
        }

        ended = stoppedShort;
    }

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
        var whole = new KernelDigest(filter);
        whole.Add(Platform.KernelDumpTable.Sadb, sadbDump);
        whole.Add(Platform.KernelDumpTable.Spd, spdDump);
        digest = whole.Digest.GetValueOrDefault();
        problem = whole.Problem;
        return problem is null;
    }

    private static bool TryAddAll(ReadOnlyMemory<byte> dump, bool sa, SyncFilterContext? filter, SnapshotDigestBuilder builder, out string? problem, out bool stoppedShort)
    {
        stoppedShort = false;
        var table = sa ? "SADB" : "SPD";
        var bytes = dump.Span;
        for (var offset = 0; offset < bytes.Length;)
        {
            var remaining = bytes.Length - offset;
            if (remaining < SadbHeader.Size)
            {
                // As PfKeyDumpReader: zero padding ends a dump, anything else is left over.
                problem = bytes[offset..].ContainsAnyExcept((byte)0) ? $"{table} dump: {remaining} bytes left over after the last record" : null;
                stoppedShort = true;
                return problem is null;
            }

            var length = SadbHeader.Read(bytes[offset..]).ByteLength;
            if (length == 0)
            {
                stoppedShort = true;
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
            rebuiltLength += allowed.Allows(type) ? length : 0;
            offset += length;
        }

        return true;
    }
}
