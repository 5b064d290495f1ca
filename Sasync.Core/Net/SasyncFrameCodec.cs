using System.Buffers;
using Sasync.Core.Config;
using Sasync.Core.Sessions;
using Sasync.Core.Wire;

namespace Sasync.Core.Net;

/// <summary>
/// The original sasyncd framing (AES-CBC + SHA-1 under the shared key) for a node's sessions, which
/// sessions with another sasyncd-cs leave for the extended channel as <paramref name="channel"/> allows.
/// </summary>
public sealed class SasyncFrameCodec(SharedKey key, FrameLimits? limits = null, ChannelPolicy channel = ChannelPolicy.Prefer) : IFrameCodecFactory
{
    /// <inheritdoc/>
    public ChannelHandshake? Handshake { get; } = new(key, channel);

    /// <inheritdoc/>
    public IFrameEncoder CreateEncoder() => new Encoder(new FrameEncoder(key));

    /// <inheritdoc/>
    public IFrameDecoder CreateDecoder() => new Decoder(new FrameReader(new FrameDecoder(key, limits)));

    /// <inheritdoc/>
    public bool CanEncode(WireMessageType type, int plaintextLength, out string error)
    {
        var ok = FrameEncoder.TryGetFrameLength(type, plaintextLength, out _, out var failure);
        error = ok ? "" : failure.Describe();
        return ok;
    }

    private sealed class Encoder(FrameEncoder encoder) : IFrameEncoder
    {
        public bool TryEncode(WireMessageType type, ReadOnlySpan<byte> plaintext, IBufferWriter<byte> destination, out string error)
        {
            var ok = encoder.TryEncode(type, plaintext, destination, out var failure);
            error = ok ? "" : failure.Describe();
            return ok;
        }

        public bool TryEncode(ReadOnlySpan<WireMessageType> types, ReadOnlySpan<ReadOnlyMemory<byte>> plaintexts, IBufferWriter<byte> destination, out string error)
        {
            var ok = encoder.TryEncode(types, plaintexts, destination, out var failure);
            error = ok ? "" : failure.Describe();
            return ok;
        }
    }

    private sealed class Decoder(FrameReader reader) : IFrameDecoder
    {
        private readonly FrameHeader[] _headers = new FrameHeader[MultiBufferSha1.Lanes];

        public FrameDecodeStatus TryDecode(ref ReadOnlySequence<byte> buffer, Memory<byte> destination, List<ReceivedFrame> frames, out int destinationUsed, out FrameError error)
        {
            destinationUsed = 0;
            switch (reader.TryRead(ref buffer, destination.Span, _headers, out var count, out var failure))
            {
                case FrameReadStatus.Frame:
                    for (var i = 0; i < count; i++)
                    {
                        var length = _headers[i].PlaintextLength;
                        frames.Add(new ReceivedFrame(_headers[i].Type, destination.Slice(destinationUsed, length)));
                        destinationUsed += length;
                    }

                    error = FrameError.None;
                    return FrameDecodeStatus.Frame;
                case FrameReadStatus.NeedMoreData:
                    error = FrameError.None;
                    return FrameDecodeStatus.NeedMoreData;
                case FrameReadStatus.Error when failure == FrameError.DestinationTooSmall:
                    // Nothing was consumed: the frame gets an array of its own.
                    var status = TryDecode(ref buffer, out var type, out byte[] own, out error);
                    if (status == FrameDecodeStatus.Frame)
                    {
                        frames.Add(new ReceivedFrame(type, own));
                    }

                    return status;
                default:
                    error = failure;
                    return FrameDecodeStatus.Fatal;
            }
        }

        public FrameDecodeStatus TryDecode(ref ReadOnlySequence<byte> buffer, out WireMessageType type, out byte[] plaintext, out FrameError error)
        {
            switch (reader.TryRead(ref buffer, out var frame, out var failure))
            {
                case FrameReadStatus.Frame:
                    type = frame.Type;
                    plaintext = frame.Plaintext;
                    error = FrameError.None;
                    return FrameDecodeStatus.Frame;
                case FrameReadStatus.NeedMoreData:
                    type = default;
                    plaintext = [];
                    error = FrameError.None;
                    return FrameDecodeStatus.NeedMoreData;
                default:
                    type = default;
                    plaintext = [];
                    error = failure;
                    return FrameDecodeStatus.Fatal;
            }
        }

        public FrameDecodeStatus TryDecode(ref ReadOnlySequence<byte> buffer, Memory<byte> destination, out WireMessageType type, out ReadOnlyMemory<byte> plaintext, out FrameError error)
        {
            switch (reader.TryRead(ref buffer, destination.Span, out var header, out var failure))
            {
                case FrameReadStatus.Frame:
                    type = header.Type;
                    plaintext = destination[..header.PlaintextLength];
                    error = FrameError.None;
                    return FrameDecodeStatus.Frame;
                case FrameReadStatus.NeedMoreData:
                    type = default;
                    plaintext = default;
                    error = FrameError.None;
                    return FrameDecodeStatus.NeedMoreData;
                case FrameReadStatus.Error when failure == FrameError.DestinationTooSmall:
                    // Nothing was consumed: the frame gets an array of its own.
                    var status = TryDecode(ref buffer, out type, out byte[] own, out error);
                    plaintext = own;
                    return status;
                default:
                    type = default;
                    plaintext = default;
                    error = failure;
                    return FrameDecodeStatus.Fatal;
            }
        }
    }
}
