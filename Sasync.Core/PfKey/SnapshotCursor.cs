using System.Collections.Frozen;
using Sasync.Core.Config;
using Sasync.Core.Platform;

namespace Sasync.Core.PfKey;

/// <summary>
/// Turns the kernel's SADB and SPD dumps into the snapshot messages of DESIGN.md §3 a piece at a
/// time, so that a MASTER can send a large snapshot in chunks paced by its peer instead of building
/// it whole: FLUSH (flushmode startup), then every synced SA as ADD, then every flow as X_ADDFLOW.
/// The dump comes in chunks as the host reads it (<see cref="Add"/>, <see cref="End"/>); each is
/// released once its records became messages, so the cursor holds only the chunks not yet read.
/// </summary>
/// <remarks>
/// Each SADB record becomes an ADD (SA type kept) and each SPD record an X_ADDFLOW, with header
/// errno/seq/pid cleared and the extensions the new type may not carry dropped; records the filter
/// refuses (larval SAs, peer addresses under skipslave) are skipped. Messages are packed into
/// shared buffers of <see cref="BufferBytes"/>, not one array each.
/// </remarks>
internal sealed class SnapshotCursor : IDisposable
{
    /// <summary>PFKEY_MSG_MAXSZ: the kernel refuses longer writes (EMSGSIZE), and a frame carries at most 4096 bytes.</summary>
    public const int MaxMessageLength = 4096;

    /// <summary>Size of the buffers messages are packed into; below the large-object threshold.</summary>
    public const int BufferBytes = 64 * 1024;

    private readonly SyncFilterContext _context;
    private readonly Dictionary<FilterReason, int> _skipped = [];
    private readonly List<PfKeyError> _errors = [];
    private readonly Queue<KernelDumpChunk> _chunks = new();
    private KernelDumpChunk? _chunk;
    private PfKeyDumpReader _reader;
    private bool _flushPending;
    private bool _ended;
    private bool _sadbDone;
    private bool _spdDone;
    private bool _sadbFailed;
    private bool _spdFailed;
    private byte[] _buffer = [];
    private int _used;
    private readonly List<byte[]> _buffers = []; // with ReusesBuffer: those a batch has filled, in order
    private int _bufferIndex;
    private int _batchBytes;

    /// <summary>A cursor to be fed the dump's chunks.</summary>
    public SnapshotCursor(SyncFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _flushPending = context.FlushMode == FlushMode.Startup;
    }

    /// <summary>A cursor over a whole dump.</summary>
    public SnapshotCursor(ReadOnlyMemory<byte> sadbDump, ReadOnlyMemory<byte> spdDump, SyncFilterContext context)
        : this(context)
    {
        Add(new KernelDumpChunk(KernelDumpTable.Sadb, sadbDump));
        Add(new KernelDumpChunk(KernelDumpTable.Spd, spdDump));
        End();
    }

    /// <summary>Every message has been handed out.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>The dump's last chunk came (<see cref="End"/>).</summary>
    public bool Ended => _ended;

    /// <summary>The messages of the next batch to send, filled by <see cref="TryFillBatch"/>.</summary>
    public List<ReadOnlyMemory<byte>> Batch { get; } = [];

    /// <summary>Chunks given and not yet read to the end.</summary>
    public int ChunksHeld => _chunks.Count + (_chunk is null ? 0 : 1);

    /// <summary>The next chunk of the dump, after those given before; released once read (or on <see cref="Dispose"/>).</summary>
    public void Add(KernelDumpChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (_ended)
        {
            chunk.Dispose();
            throw new InvalidOperationException("a chunk after the end of the dump");
        }

        _chunks.Enqueue(chunk);
    }

    /// <summary>No more chunks come: once those given are read, the snapshot is complete.</summary>
    public void End() => _ended = true;

    /// <summary>Releases the chunks not read.</summary>
    public void Dispose()
    {
        _chunk?.Dispose();
        _chunk = null;
        while (_chunks.TryDequeue(out var chunk))
        {
            chunk.Dispose();
        }
    }

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
    /// Fills <see cref="Batch"/> from the chunks given so far; true when it is ready to go: <paramref name="maxMessages"/>
    /// messages or <paramref name="maxBytes"/> bytes in it, or the end of the snapshot. False: the next chunk is awaited,
    /// and the batch grows on from it (a dump's chunk boundaries never make a small batch).
    /// </summary>
    public bool TryFillBatch(int maxMessages, int maxBytes)
    {
        var before = Batch.Count;
        if (Batch.Count < maxMessages && _batchBytes < maxBytes)
        {
            Next(maxMessages - Batch.Count, Batch, maxBytes - _batchBytes);
        }

        for (var i = before; i < Batch.Count; i++)
        {
            _batchBytes += Batch[i].Length;
        }

        return IsComplete || Batch.Count >= maxMessages || _batchBytes >= maxBytes;
    }

    /// <summary>
    /// Whether <see cref="ClearBatch"/> makes the batch's messages invalid, their buffers filled again from the start
    /// (a batch's worth of buffers, made once): for a sender that is done with them once sent. Otherwise each message
    /// stays valid for good.
    /// </summary>
    public bool ReusesBuffer { get; init; }

    /// <summary>The batch went out.</summary>
    public void ClearBatch()
    {
        Batch.Clear();
        _batchBytes = 0;
        if (ReusesBuffer && _buffers.Count > 0)
        {
            (_buffer, _used, _bufferIndex) = (_buffers[0], 0, 0);
        }
    }

    // The next buffer to pack messages into: with reuse, the batch's next one (made once, the first time a batch
    // needs it); otherwise a new one, the messages in the old one staying valid.
    private void NextBuffer()
    {
        _used = 0;
        if (!ReusesBuffer)
        {
            _buffer = new byte[BufferBytes];
            return;
        }

        _bufferIndex = _buffers.Count == 0 ? 0 : _bufferIndex + 1;
        if (_bufferIndex == _buffers.Count)
        {
            _buffers.Add(new byte[BufferBytes]);
        }

        _buffer = _buffers[_bufferIndex];
    }

    /// <summary>
    /// Appends further messages to <paramref name="into"/> until <paramref name="maxMessages"/> of them
    /// or at least <paramref name="maxBytes"/> bytes were added (at least one message), the end, or the
    /// end of the chunks given so far (then none may be added: the next chunk is awaited).
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
            if (_chunk is null && !TryNextChunk())
            {
                break;
            }

            var fromSadb = _chunk!.Table == KernelDumpTable.Sadb;
            var status = _reader.Next(out PfKeyView record, out var error);
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

                    if (status == DumpRecordStatus.Broken)
                    {
                        EndOfChunk(tableDone: true);
                    }

                    break;
                case DumpRecordStatus.End:
                    // A chunk read short (a zero length, padding) ends its table there, as it would the whole dump.
                    EndOfChunk(tableDone: _reader.Offset < _chunk.Records.Length);
                    break;
            }
        }
    }

    // The next chunk of a table not done yet; false when none is here (then IsComplete says whether more come).
    private bool TryNextChunk()
    {
        while (_chunks.TryDequeue(out var chunk))
        {
            if (chunk.Table == KernelDumpTable.Sadb ? _sadbDone : _spdDone)
            {
                chunk.Dispose();
                continue;
            }

            if (chunk.Table == KernelDumpTable.Spd)
            {
                _sadbDone = true;
            }

            _chunk = chunk;
            _reader = new PfKeyDumpReader(chunk.Records);
            return true;
        }

        IsComplete = _ended;
        return false;
    }

    private void EndOfChunk(bool tableDone)
    {
        if (tableDone)
        {
            ref var done = ref _chunk!.Table == KernelDumpTable.Sadb ? ref _sadbDone : ref _spdDone;
            done = true;
        }

        _chunk!.Dispose();
        _chunk = null;
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
            NextBuffer();
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
