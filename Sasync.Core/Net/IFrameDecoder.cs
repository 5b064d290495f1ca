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

public enum FrameDecodeStatus
{
    NeedMoreData,
    Frame,
    Fatal,
}
