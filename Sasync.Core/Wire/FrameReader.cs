using System.Buffers;

namespace Sasync.Core.Wire;

/// <summary>
/// Cuts frames out of a TCP byte stream fed in arbitrary pieces (a PipeReader's buffer).
/// Each call reads at most one frame and slices it off the front of the buffer, so the usual loop is:
/// <code>
/// var buffer = result.Buffer;
/// while (reader.TryRead(ref buffer, out var frame, out var error) == FrameReadStatus.Frame) { ... }
/// pipeReader.AdvanceTo(buffer.Start, buffer.End);   // consumed, examined
/// </code>
/// Errors are detected as early as the bytes allow (a bad length after 4 bytes) and are final: the reader
/// never resynchronises and answers the same error from then on. It never buffers more than one frame of
/// at most <see cref="FrameLimits.MaxFrameLength"/> bytes. Not thread-safe: one per connection.
/// </summary>
public sealed class FrameReader
{
    private readonly FrameDecoder _decoder;
    private byte[]? _joined;

    /// <summary>A reader for one connection, decoding with <paramref name="decoder"/> (its key and limits); the decoder is not thread-safe, so give each connection its own.</summary>
    public FrameReader(FrameDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        _decoder = decoder;
    }

    /// <summary>The error that ended this stream, or <see cref="FrameError.None"/>.</summary>
    public FrameError Failure { get; private set; }

    /// <summary>Reads one frame, allocating exactly its plaintext.</summary>
    public FrameReadStatus TryRead(ref ReadOnlySequence<byte> buffer, out DecodedFrame frame, out FrameError error)
    {
        frame = default;
        var status = Next(buffer, out var header, out var bytes, out error);
        if (status != FrameReadStatus.Frame)
        {
            return status;
        }

        if (!_decoder.TryOpen(header, bytes, out frame, out error))
        {
            return Fail(error);
        }

        buffer = buffer.Slice(header.FrameLength);
        return FrameReadStatus.Frame;
    }

    /// <summary>
    /// Reads one frame into a caller buffer (at least the plaintext's length; 4096 bytes always suffice
    /// under the original's limits); the plaintext is <c>destination[..header.PlaintextLength]</c>. Up to 15 bytes
    /// after it, to the ciphertext's length, may be used while decrypting and are left zero. Allocates nothing.
    /// </summary>
    public FrameReadStatus TryRead(ref ReadOnlySequence<byte> buffer, Span<byte> destination, out FrameHeader header, out FrameError error)
    {
        var status = Next(buffer, out header, out var bytes, out error);
        if (status != FrameReadStatus.Frame)
        {
            return status;
        }

        if (destination.Length < header.PlaintextLength)
        {
            // The caller's mistake, not the stream's: nothing is consumed and a larger buffer may retry.
            error = FrameError.DestinationTooSmall;
            return FrameReadStatus.Error;
        }

        if (!_decoder.TryOpen(header, bytes, destination, out error))
        {
            return Fail(error);
        }

        buffer = buffer.Slice(header.FrameLength);
        return FrameReadStatus.Frame;
    }

    /// <summary>
    /// Reads several frames at once into consecutive plaintexts at the start of <paramref name="destination"/>, as many as
    /// <paramref name="headers"/> has room for (at most eight are decoded together) and as lie whole in the buffer's first
    /// segment with room for their padded plaintext in the destination; it stops after a control frame, which may switch
    /// the stream to another decoder. Frame i's plaintext is <c>destination[start..][..headers[i].PlaintextLength]</c>,
    /// starting where frame i-1's ends. When one frame is all it can take it reads that one as the single-frame overload
    /// does. A bad frame after good ones ends the batch before it: the good ones are read, and the next call reports the
    /// error. Allocates nothing.
    /// </summary>
    public FrameReadStatus TryRead(ref ReadOnlySequence<byte> buffer, Span<byte> destination, Span<FrameHeader> headers, out int count, out FrameError error)
    {
        count = 0;
        var room = Math.Min(headers.Length, MultiBufferSha1.Lanes);
        var first = buffer.FirstSpan;
        var batched = 0;
        var framesLength = 0;
        var plaintextLength = 0;
        if (Failure == FrameError.None && room > 1 && MultiBufferSha1.IsSupported && !destination.Overlaps(first))
        {
            while (batched < room)
            {
                var rest = first[framesLength..];
                if (_decoder.ParseHeader(rest, out var header) != FrameError.None
                    || rest.Length < header.FrameLength
                    || destination.Length - plaintextLength < header.CiphertextLength)
                {
                    break;
                }

                headers[batched++] = header;
                framesLength += header.FrameLength;
                plaintextLength += header.PlaintextLength;
                if (header.Type == WireMessageType.Control)
                {
                    break;
                }
            }
        }

        if (batched < 2)
        {
            if (headers.Length == 0)
            {
                error = FrameError.None;
                return FrameReadStatus.NeedMoreData;
            }

            var status = TryRead(ref buffer, destination, out headers[0], out error);
            count = status == FrameReadStatus.Frame ? 1 : 0;
            return status;
        }

        count = _decoder.OpenBatch(first[..framesLength], headers[..batched], destination, out error);
        if (count == 0)
        {
            return Fail(error);
        }

        var consumed = 0;
        for (var i = 0; i < count; i++)
        {
            consumed += headers[i].FrameLength;
        }

        if (count < batched)
        {
            // The good frames are delivered; the stream's error is answered from the next call on.
            Failure = error;
        }

        buffer = buffer.Slice(consumed);
        error = FrameError.None;
        return FrameReadStatus.Frame;
    }

    /// <summary>Validates the header and, once the whole frame is there, gives its bytes in one piece.</summary>
    private FrameReadStatus Next(in ReadOnlySequence<byte> buffer, out FrameHeader header, out ReadOnlySpan<byte> bytes, out FrameError error)
    {
        header = default;
        bytes = default;
        if (Failure != FrameError.None)
        {
            error = Failure;
            return FrameReadStatus.Error;
        }

        Span<byte> prefix = stackalloc byte[FrameLayout.FixedFieldsSize];
        var available = (int)Math.Min(buffer.Length, prefix.Length);
        buffer.Slice(0, available).CopyTo(prefix);
        error = _decoder.ParseHeader(prefix[..available], out header);
        if (error == FrameError.Truncated)
        {
            error = FrameError.None;
            return FrameReadStatus.NeedMoreData;
        }

        if (error != FrameError.None)
        {
            return Fail(error);
        }

        if (buffer.Length < header.FrameLength)
        {
            return FrameReadStatus.NeedMoreData;
        }

        var frameBytes = buffer.Slice(0, header.FrameLength);
        if (frameBytes.IsSingleSegment)
        {
            bytes = frameBytes.FirstSpan;
        }
        else
        {
            // A frame split across segments is joined in one buffer of the largest frame, made once.
            _joined ??= new byte[_decoder.Limits.MaxFrameLength];
            frameBytes.CopyTo(_joined);
            bytes = _joined.AsSpan(0, header.FrameLength);
        }

        return FrameReadStatus.Frame;
    }

    private FrameReadStatus Fail(FrameError error)
    {
        Failure = error;
        return FrameReadStatus.Error;
    }
}
