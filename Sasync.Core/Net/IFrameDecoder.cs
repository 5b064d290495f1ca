using System.Buffers;
using Sasync.Core.Wire;

namespace Sasync.Core.Net;

/// <summary>Takes whole frames off the front of one connection's byte stream.</summary>
public interface IFrameDecoder
{
    /// <summary>
    /// Tries to decode the frame at the start of <paramref name="buffer"/>. On success the buffer
    /// is advanced past it. <see cref="FrameDecodeStatus.Fatal"/> means the connection must close;
    /// <paramref name="error"/> then says why.
    /// </summary>
    FrameDecodeStatus TryDecode(ref ReadOnlySequence<byte> buffer, out WireMessageType type, out byte[] plaintext, out FrameError error);

    /// <summary>
    /// <see cref="TryDecode(ref ReadOnlySequence{byte}, out WireMessageType, out byte[], out FrameError)"/> into the
    /// caller's buffer: when the plaintext fits in <paramref name="destination"/> it is decoded there and
    /// <paramref name="plaintext"/> is the start of <paramref name="destination"/>; otherwise it gets an array of its
    /// own. This default always does the latter, for decoders without a path of their own.
    /// </summary>
    FrameDecodeStatus TryDecode(ref ReadOnlySequence<byte> buffer, Memory<byte> destination, out WireMessageType type, out ReadOnlyMemory<byte> plaintext, out FrameError error)
    {
        var status = TryDecode(ref buffer, out type, out byte[] own, out error);
        plaintext = own;
        return status;
    }

    /// <summary>
    /// Decodes one or more whole frames off the front of <paramref name="buffer"/> into <paramref name="destination"/>
    /// as the overload above does, appending them to <paramref name="frames"/> in order; <paramref name="destinationUsed"/>
    /// is how much of the destination their plaintexts take, from its start. It stops after a control frame, whose
    /// FINISHED may switch the stream to another decoder. <see cref="FrameDecodeStatus.Frame"/> means at least one was
    /// appended. This default decodes one with the overload above; the legacy codec decodes several together.
    /// </summary>
    FrameDecodeStatus TryDecode(ref ReadOnlySequence<byte> buffer, Memory<byte> destination, List<ReceivedFrame> frames, out int destinationUsed, out FrameError error)
    {
        ArgumentNullException.ThrowIfNull(frames);
        destinationUsed = 0;
        var status = TryDecode(ref buffer, destination, out var type, out var plaintext, out error);
        if (status == FrameDecodeStatus.Frame)
        {
            frames.Add(new ReceivedFrame(type, plaintext));
            destinationUsed = plaintext.Span.Overlaps(destination.Span) ? plaintext.Length : 0;
        }

        return status;
    }
}

/// <summary>What <see cref="IFrameDecoder.TryDecode(ref System.Buffers.ReadOnlySequence{byte}, out WireMessageType, out byte[], out FrameError)"/> found at the front of the buffer.</summary>
public enum FrameDecodeStatus
{
    /// <summary>The frame is not complete yet; the buffer is left as it was.</summary>
    NeedMoreData,

    /// <summary>One frame, decoded and authenticated; the buffer now starts after it.</summary>
    Frame,

    /// <summary>The stream cannot be read on (bad length, MAC or padding); the connection must close.</summary>
    Fatal,
}
