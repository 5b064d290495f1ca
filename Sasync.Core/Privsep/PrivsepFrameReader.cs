using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Sasync.Core.Privsep;

/// <summary>
/// Cuts <see cref="PrivsepFrame"/>s out of a pipe. A length outside <c>5..maxLength</c> is fatal for
/// the channel (it cannot be resynchronised), and is reported before any of the body is buffered,
/// so a hostile length never makes us allocate.
/// </summary>
internal sealed class PrivsepFrameReader(PipeReader reader, int maxLength)
{
    /// <summary>The next frame; null at a clean end of the stream.</summary>
    /// <exception cref="InvalidDataException">A bad length, or the stream ended inside a frame.</exception>
    public async ValueTask<PrivsepFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryCut(ref buffer, maxLength, out var frame))
            {
                reader.AdvanceTo(buffer.Start);
                return frame;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                var leftover = buffer.Length;
                reader.AdvanceTo(buffer.End);
                return leftover == 0 ? null : throw new InvalidDataException($"the channel ended inside a frame ({leftover} bytes of it)");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The next frame when it is already buffered, without waiting.</summary>
    /// <exception cref="InvalidDataException">A bad length.</exception>
    public bool TryRead(out PrivsepFrame frame)
    {
        frame = default;
        if (!reader.TryRead(out var result))
        {
            return false;
        }

        var buffer = result.Buffer;
        if (TryCut(ref buffer, maxLength, out frame))
        {
            reader.AdvanceTo(buffer.Start);
            return true;
        }

        // Not a whole frame yet: the next ReadAsync waits for more.
        reader.AdvanceTo(buffer.Start, buffer.End);
        return false;
    }

    /// <summary>Takes one frame off the front of <paramref name="buffer"/> when it is all there.</summary>
    /// <exception cref="InvalidDataException">The length field is out of range.</exception>
    public static bool TryCut(ref ReadOnlySequence<byte> buffer, int maxLength, out PrivsepFrame frame)
    {
        frame = default;
        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[PrivsepFrame.HeaderSize];
        var available = (int)Math.Min(buffer.Length, PrivsepFrame.HeaderSize);
        buffer.Slice(0, available).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length < PrivsepFrame.MinLength || length > (uint)maxLength)
        {
            throw new InvalidDataException($"frame length {length} is outside {PrivsepFrame.MinLength}..{maxLength}");
        }

        if (buffer.Length < 4 + length)
        {
            return false;
        }

        var body = buffer.Slice(PrivsepFrame.HeaderSize, length - PrivsepFrame.MinLength).ToArray();
        frame = new PrivsepFrame(header[4], BinaryPrimitives.ReadUInt32BigEndian(header[5..]), body);
        buffer = buffer.Slice(4 + length);
        return true;
    }
}
