using Sasync.Core.PfKey;

namespace Sasync.Tests.PfKey;

/// <summary>A whole snapshot: every message a <see cref="SnapshotCursor"/> hands out, and the cursor's tallies.</summary>
internal sealed record WholeSnapshot(List<ReadOnlyMemory<byte>> Messages, SnapshotCursor Cursor)
{
    public static WholeSnapshot Build(ReadOnlyMemory<byte> sadbDump, ReadOnlyMemory<byte> spdDump, SyncFilterContext context)
    {
        var cursor = new SnapshotCursor(sadbDump, spdDump, context);
        var messages = new List<ReadOnlyMemory<byte>>();
        while (!cursor.IsComplete)
        {
            cursor.Next(int.MaxValue, messages);
        }

        return new WholeSnapshot(messages, cursor);
    }

    public int SaCount => Cursor.SaCount;

    public int FlowCount => Cursor.FlowCount;

    public IReadOnlyDictionary<FilterReason, int> Skipped => Cursor.Skipped;

    public IReadOnlyList<PfKeyError> Errors => Cursor.Errors;
}
