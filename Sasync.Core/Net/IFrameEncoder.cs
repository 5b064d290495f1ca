using System.Buffers;
using Sasync.Core.Wire;

namespace Sasync.Core.Net;

/// <summary>Turns a message into the bytes of one frame for a peer's stream. One per session: not thread-safe.</summary>
public interface IFrameEncoder
{
    /// <summary>Appends the frame to <paramref name="destination"/>; false with a reason when the message cannot be framed.</summary>
    bool TryEncode(WireMessageType type, ReadOnlySpan<byte> plaintext, IBufferWriter<byte> destination, out string error);

    /// <summary>
    /// Appends the frames of several messages, in order, as one call each of the overload above would; false with a
    /// reason when one cannot be framed (the frames before it may have been appended). This default encodes them one
    /// by one; the legacy codec encodes several together.
    /// </summary>
    bool TryEncode(ReadOnlySpan<WireMessageType> types, ReadOnlySpan<ReadOnlyMemory<byte>> plaintexts, IBufferWriter<byte> destination, out string error)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(plaintexts.Length, types.Length, nameof(plaintexts));
        error = "";
        for (var i = 0; i < types.Length; i++)
        {
            if (!TryEncode(types[i], plaintexts[i].Span, destination, out error))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Makes the encoder and decoder of each session of a node.</summary>
public interface IFrameCodecFactory
{
    /// <summary>A fresh encoder for one new session.</summary>
    IFrameEncoder CreateEncoder();

    /// <summary>A fresh decoder for one new session.</summary>
    IFrameDecoder CreateDecoder();

    /// <summary>Whether a plaintext of this length can be framed at all, checked before it is queued for a peer.</summary>
    bool CanEncode(WireMessageType type, int plaintextLength, out string error);

    /// <summary>
    /// The key and policy with which a new session negotiates the extended channel; null (the default) keeps
    /// every session on this codec's frames, with a version-1 HELLO.
    /// </summary>
    Sessions.ChannelHandshake? Handshake => null;
}
