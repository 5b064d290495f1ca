using System.Collections.Immutable;

namespace Sasync.Core.PfKey;

/// <summary>
/// The PF_KEY messages a MASTER sends a peer as its snapshot, in order; the caller sends ENDSNAP after them.
/// </summary>
/// <param name="Messages">FLUSH (flushmode startup), then every synced SA as ADD, then every flow as X_ADDFLOW.</param>
/// <param name="SaCount">How many SADB records became ADDs.</param>
/// <param name="FlowCount">How many SPD records became X_ADDFLOWs.</param>
/// <param name="Skipped">Records the filter skipped, by reason.</param>
/// <param name="Errors">Malformed dump data; the records before the error are still in <paramref name="Messages"/>.</param>
public sealed record Snapshot(
    ImmutableArray<ReadOnlyMemory<byte>> Messages,
    int SaCount,
    int FlowCount,
    ImmutableDictionary<FilterReason, int> Skipped,
    ImmutableArray<PfKeyError> Errors);

/// <summary>Builds a whole snapshot at once; see <see cref="SnapshotCursor"/> for the rules and for sending it in pieces.</summary>
public static class SnapshotBuilder
{
    /// <summary>Every message of the snapshot of these dumps, with its summary.</summary>
    public static Snapshot Build(ReadOnlyMemory<byte> sadbDump, ReadOnlyMemory<byte> spdDump, SyncFilterContext context)
    {
        var cursor = new SnapshotCursor(sadbDump, spdDump, context);
        var messages = ImmutableArray.CreateBuilder<ReadOnlyMemory<byte>>();
        while (!cursor.IsComplete)
        {
            cursor.Next(int.MaxValue, messages);
        }

        return cursor.ToSnapshot(messages.ToImmutable());
    }
}
