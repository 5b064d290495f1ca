namespace Sasync.Core.Platform;

/// <summary>Which sysctl dump a <see cref="KernelDumpChunk"/> is part of.</summary>
public enum KernelDumpTable
{
    /// <summary>NET_KEY_SADB_DUMP: the SAs.</summary>
    Sadb,

    /// <summary>NET_KEY_SPD_DUMP: the flows.</summary>
    Spd,
}

/// <summary>
/// A piece of a kernel dump: whole records of one table back to back, in a buffer lent by the key engine.
/// Dispose it once it is read: the buffer goes back (cleared: it holds keys) and the next piece may be read.
/// </summary>
public sealed class KernelDumpChunk : IDisposable
{
    private Action? _release;

    /// <summary>A chunk of <paramref name="records"/>; <paramref name="release"/> runs once, on the first <see cref="Dispose"/>.</summary>
    public KernelDumpChunk(KernelDumpTable table, ReadOnlyMemory<byte> records, Action? release = null)
    {
        Table = table;
        Records = records;
        _release = release;
    }

    /// <summary>The dump these records are from.</summary>
    public KernelDumpTable Table { get; }

    /// <summary>The records (sysctl format: each a whole PF_KEY message).</summary>
    public ReadOnlyMemory<byte> Records { get; }

    /// <summary>Runs <paramref name="after"/> once this chunk is released, after what ran before.</summary>
    public void OnRelease(Action after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var before = _release;
        _release = before is null ? after : () =>
        {
            before();
            after();
        };
    }

    /// <summary>Gives the buffer back; the records must not be read after this.</summary>
    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
