using System.Buffers;
using Sasync.Core.Config;
using Sasync.Core.Wire;

namespace Sasync.Core.Net;

/// <summary>The original sasyncd framing (AES-CBC + SHA-1 under the shared key) for a node's sessions.</summary>
public sealed class SasyncFrameCodec(SharedKey key, FrameLimits? limits = null) : IFrameCodecFactory
{
    public IFrameEncoder CreateEncoder() => new Encoder(new FrameEncoder(key));

    public IFrameDecoder CreateDecoder() => new Decoder(new FrameReader(new FrameDecoder(key, limits)));

    private sealed class Encoder(FrameEncoder encoder) : IFrameEncoder
    {
        public bool TryEncode(WireMessageType type, ReadOnlySpan<byte> plaintext, out byte[] frame, out string error)
        {
            if (encoder.TryEncode(type, plaintext, out byte[]? bytes, out var failure))
            {
                frame = bytes;
                error = "";
                return true;
            }

            frame = [];
            error = failure.Describe();
            return false;
        }
    }

    private sealed class Decoder(FrameReader reader) : IFrameDecoder
    {
        public FrameDecodeStatus TryDecode(ref ReadOnlySequence<byte> buffer, out WireMessageType type, out byte[] plaintext, out string error)
        {
            switch (reader.TryRead(ref buffer, out var frame, out var failure))
            {
                case FrameReadStatus.Frame:
                    type = frame.Type;
                    plaintext = frame.Plaintext;
                    error = "";
                    return FrameDecodeStatus.Frame;
                case FrameReadStatus.NeedMoreData:
                    type = default;
                    plaintext = [];
                    error = "";
                    return FrameDecodeStatus.NeedMoreData;
                default:
                    type = default;
                    plaintext = [];
                    error = failure.Describe();
                    return FrameDecodeStatus.Fatal;
            }
        }
    }
}
