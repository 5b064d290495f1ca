using System.Buffers;

namespace Sasync.Tests.Wire;

/// <summary>Builds a ReadOnlySequence from separate pieces, as a PipeReader hands over data received in several reads.</summary>
public static class SegmentedSequence
{
    public static ReadOnlySequence<byte> Of(params byte[][] pieces)
    {
        var nonEmpty = pieces.Where(p => p.Length > 0).ToArray();
        if (nonEmpty.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(nonEmpty[0], 0);
        var last = first;
        foreach (var piece in nonEmpty.Skip(1))
        {
            last = last.Append(piece);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Cuts <paramref name="bytes"/> at the given offsets.</summary>
    public static ReadOnlySequence<byte> SplitAt(byte[] bytes, params int[] cuts)
    {
        var bounds = cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order().Prepend(0).Append(bytes.Length).ToArray();
        return Of(bounds.Zip(bounds.Skip(1), (a, b) => bytes[a..b]).ToArray());
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
