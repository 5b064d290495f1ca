using Sasync.Core.Wire;

namespace Sasync.Core.Net;

/// <summary>Turns a message into the bytes of one frame for a peer's stream.</summary>
public interface IFrameEncoder
{
    /// <summary>False with a reason when the message cannot be framed (e.g. too long for the protocol).</summary>
    bool TryEncode(WireMessageType type, ReadOnlySpan<byte> plaintext, out byte[] frame, out string error);
}

/// <summary>Makes the encoder and decoders of one node's sessions (one decoder per connection).</summary>
public interface IFrameCodecFactory
{
    IFrameEncoder CreateEncoder();

    IFrameDecoder CreateDecoder();
}
