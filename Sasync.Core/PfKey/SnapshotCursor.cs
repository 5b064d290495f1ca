using System.Collections.Frozen;
using Sasync.Core.Config;

namespace Sasync.Core.PfKey;

/// <summary>
/// Turns the kernel's SADB and SPD dumps into the snapshot messages of DESIGN.md §3 a piece at a
/// time, so that a MASTER can send a large snapshot in chunks paced by its peer instead of building
/// it whole: FLUSH (flushmode startup), then every synced SA as ADD, then every flow as X_ADDFLOW.
/// </summary>
/// <remarks>
/// Each SADB record becomes an ADD (SA type kept) and each SPD record an X_ADDFLOW, with header
/// errno/seq/pid cleared and the extensions the new type may not carry dropped; records the filter
/// refuses (larval SAs, peer addresses under skipslave) are skipped. Messages are packed into
/// shared buffers of <see cref="BufferBytes"/>, not one array each.
/// </remarks>
internal sealed class SnapshotCursor
{
    /// <summary>PFKEY_MSG_MAXSZ: the kernel refuses longer writes (EMSGSIZE), and a frame carries at most 4096 bytes.</summary>
    public const int MaxMessageLength = 4096;

    /// <summary>Size of the buffers messages are packed into; below the large-object threshold.</summary>
    public const int BufferBytes = 64 * 1024;

    private readonly SyncFilterContext _context;
    private readonly Dictionary<FilterReason, int> _skipped = [];
    private readonly List<PfKeyError> _errors = [];
    private PfKeyDumpReader _sadb;
    private PfKeyDumpReader _spd;
    private bool _flushPending;
    private bool _sadbDone;
    private bool _sadbFailed;
    private bool _spdFailed;
    private byte[] _buffer = [];
    private int _used;

    public SnapshotCursor(ReadOnlyMemory<byte> sadbDump, ReadOnlyMemory<byte> spdDump, SyncFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _sadb = new PfKeyDumpReader(sadbDump);
        _spd = new PfKeyDumpReader(spdDump);
        _flushPending = context.FlushMode == FlushMode.Startup;
    }

    /// <summary>Every message has been handed out.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>SADB records that became ADDs so far.</summary>
    public int SaCount { get; private set; }

    /// <summary>SPD records that became X_ADDFLOWs so far.</summary>
    public int FlowCount { get; private set; }

    /// <summary>Records the filter skipped so far, by reason.</summary>
    public IReadOnlyDictionary<FilterReason, int> Skipped => _skipped;

    /// <summary>Malformed dump data met so far: the first error of each dump, and every message too long to send.</summary>
    public IReadOnlyList<PfKeyError> Errors => _errors;

    /// <summary>A bare FLUSH of every SA type, sent before a snapshot under <c>flushmode startup</c>.</summary>
    public static byte[] Flush()
    {
        var bytes = new byte[SadbHeader.Size];
        new SadbHeader(SadbHeader.Version2, SadbMessageType.Flush, 0, SadbSaType.Unspec, SadbHeader.Size / 8, 0, 0, 0).WriteTo(bytes);
        return bytes;
    }

    /// <summary>
    /// Appends further messages to <paramref name="into"/> until <paramref name="maxMessages"/> of them
    /// or at least <paramref name="maxBytes"/> bytes were added (at least one message), or the end.
    /// </summary>
    public void Next(int maxMessages, ICollection<ReadOnlyMemory<byte>> into, int maxBytes = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentNullException.ThrowIfNull(into);
        var added = 0;
        var bytes = 0;
        if (_flushPending && !IsComplete)
        {
            _flushPending = false;
            into.Add(Flush());
            added++;
            bytes += SadbHeader.Size;
        }

        while (added < maxMessages && bytes < maxBytes && !IsComplete)
        {
            var fromSadb = !_sadbDone;
            var status = fromSadb ? _sadb.Next(out PfKeyView record, out var error) : _spd.Next(out record, out error);
            switch (status)
            {
                case DumpRecordStatus.Record:
                    if (TryAppend(record, fromSadb, out var message))
                    {
                        into.Add(message);
                        added++;
                        bytes += message.Length;
                    }

                    break;
                case DumpRecordStatus.BadRecord or DumpRecordStatus.Broken:
                    ref var failed = ref fromSadb ? ref _sadbFailed : ref _spdFailed;
                    if (!failed)
                    {
                        failed = true;
                        _errors.Add(error with { Message = $"{(fromSadb ? "SADB" : "SPD")} dump: {error.Message}" });
                    }

                    break;
                case DumpRecordStatus.End when fromSadb:
                    _sadbDone = true;
                    break;
                case DumpRecordStatus.End:
                    IsComplete = true;
                    break;
            }
        }
    }

    private bool TryAppend(PfKeyView record, bool sa, out ReadOnlyMemory<byte> message)
    {
        message = default;
        var type = sa ? SadbMessageType.Add : SadbMessageType.XAddFlow;
        // Filter the record as the type it is sent as, as the original does: larval SAs and peer addresses stay out.
        var decision = SyncFilter.Decide(record, _context, type);
        if (!decision.Sync)
        {
            _skipped[decision.Reason] = _skipped.GetValueOrDefault(decision.Reason) + 1;
            return false;
        }

        FrozenSet<SadbExtensionType> allowed = sa ? AllowedExtensions.InAdd : AllowedExtensions.InAddFlow;
        var length = PfKeyRewrite.RebuiltLength(record, allowed);
        if (length > MaxMessageLength)
        {
            _errors.Add(new PfKeyError(0, $"{(sa ? "SADB" : "SPD")} dump: a {type} of {length} bytes exceeds the {MaxMessageLength}-byte PF_KEY limit; skipped"));
            return false;
        }

        if (_buffer.Length - _used < length)
        {
            _buffer = new byte[BufferBytes];
            _used = 0;
        }

        var header = record.Header with { Type = type, Errno = 0, Reserved = 0, Sequence = 0, Pid = 0 };
        PfKeyRewrite.RebuildInto(record, header, allowed, _buffer.AsSpan(_used, length));
        message = _buffer.AsMemory(_used, length);
        _used += length;
        if (sa)
        {
            SaCount++;
        }
        else
        {
            FlowCount++;
        }

        return true;
    }
}
