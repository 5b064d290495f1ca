namespace Sasync.Core.PfKey;

/// <summary>What <see cref="PfKeyDumpReader.Next(out PfKeyView, out PfKeyError)"/> found.</summary>
internal enum DumpRecordStatus
{
    /// <summary>A well-formed record.</summary>
    Record,

    /// <summary>A record whose framing holds but whose inside is malformed; the reader moved past it.</summary>
    BadRecord,

    /// <summary>The end: no more bytes, a zero length (where the original stops), or only zero padding.</summary>
    End,

    /// <summary>The dump itself is broken (a record running past its end, bytes left over); nothing follows.</summary>
    Broken,
}

/// <summary>
/// Reads a sysctl dump (NET_KEY_SADB_DUMP / NET_KEY_SPD_DUMP: messages back to back) one record at
/// a time, so that a caller can stop and resume, and never holds more than one parsed record.
/// </summary>
internal struct PfKeyDumpReader(ReadOnlyMemory<byte> dump)
{
    private bool _ended;

    /// <summary>Where the next record starts.</summary>
    public int Offset { get; private set; }

    /// <summary>The next record; <paramref name="error"/> (offsets within the dump) tells what is wrong for <see cref="DumpRecordStatus.BadRecord"/> and <see cref="DumpRecordStatus.Broken"/>.</summary>
    public DumpRecordStatus Next(out PfKeyMessage? record, out PfKeyError error)
    {
        var status = Next(out PfKeyView view, out error);
        record = status == DumpRecordStatus.Record ? view.Parse() : null;
        return status;
    }

    /// <summary><see cref="Next(out PfKeyMessage?, out PfKeyError)"/> as a view of the dump: nothing allocated per record.</summary>
    public DumpRecordStatus Next(out PfKeyView record, out PfKeyError error)
    {
        record = default;
        error = default;
        if (_ended)
        {
            return DumpRecordStatus.End;
        }

        var remaining = dump.Length - Offset;
        if (remaining < SadbHeader.Size)
        {
            _ended = true;
            if (remaining > 0 && dump.Span[Offset..].ContainsAnyExcept((byte)0))
            {
                error = new PfKeyError(Offset, $"{remaining} bytes left over after the last dump record");
                return DumpRecordStatus.Broken;
            }

            return DumpRecordStatus.End;
        }

        var length = SadbHeader.Read(dump.Span[Offset..]).ByteLength;
        if (length == 0)
        {
            _ended = true;
            return DumpRecordStatus.End;
        }

        if (length > remaining)
        {
            _ended = true;
            error = new PfKeyError(Offset, $"dump record of {length} bytes runs past the end of the dump");
            return DumpRecordStatus.Broken;
        }

        var start = Offset;
        Offset += length;
        if (PfKeyView.TryRead(dump.Slice(start, length), out record, out var inner))
        {
            return DumpRecordStatus.Record;
        }

        error = inner with { Offset = start + inner.Offset };
        return DumpRecordStatus.BadRecord;
    }
}
