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
}

/// <summary>What <see cref="IFrameDecoder.TryDecode"/> found at the front of the buffer.</summary>
public enum FrameDecodeStatus
{
    /// <summary>The frame is not complete yet; the buffer is left as it was.</summary>
    NeedMoreData,

    /// <summary>One frame, decoded and authenticated; the buffer now starts after it.</summary>
    Frame,

    /// <summary>The stream cannot be read on (bad length, MAC or padding); the connection must close.</summary>
    Fatal,
}
