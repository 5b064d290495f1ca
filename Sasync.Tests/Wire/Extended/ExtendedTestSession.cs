using Sasync.Core.Net;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Tests.Wire.Extended;

/// <summary>Both ends of one extended session made from a seeded shared key and two seeded hellos.</summary>
internal sealed class ExtendedTestSession
{
    public ExtendedTestSession(int seed, ExtendedChannelOptions? options = null)
    {
        var random = new Random(seed);
        SharedKey = Bytes(random, 32);
        DiallerHello = Bytes(random, 60);
        AcceptorHello = Bytes(random, 60);
        Options = options ?? ExtendedChannelOptions.Default;
        Secrets = ExtendedKeySchedule.Derive(SharedKey, DiallerHello, AcceptorHello);
        DiallerEncoder = new ExtendedFrameEncoder(Secrets, weAreDialler: true, Options);
        AcceptorDecoder = new ExtendedFrameDecoder(Secrets, weAreDialler: false, Options);
        AcceptorEncoder = new ExtendedFrameEncoder(Secrets, weAreDialler: false, Options);
        DiallerDecoder = new ExtendedFrameDecoder(Secrets, weAreDialler: true, Options);
    }

    public byte[] SharedKey { get; }
    public byte[] DiallerHello { get; }
    public byte[] AcceptorHello { get; }
    public ExtendedChannelOptions Options { get; }
    public ExtendedSessionSecrets Secrets { get; }

    /// <summary>Seals what the dialler sends; <see cref="AcceptorDecoder"/> opens it.</summary>
    public ExtendedFrameEncoder DiallerEncoder { get; }
    public ExtendedFrameDecoder AcceptorDecoder { get; }
    public ExtendedFrameEncoder AcceptorEncoder { get; }
    public ExtendedFrameDecoder DiallerDecoder { get; }

    public static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public static byte[] Seal(ExtendedFrameEncoder encoder, WireMessageType type, ReadOnlySpan<byte> plaintext)
    {
        var frame = new byte[ExtendedFrameLayout.FrameLengthFor(plaintext.Length)];
        Assert.True(encoder.TryEncode(type, plaintext, frame, out var written, out var error), error.Describe());
        Assert.Equal(frame.Length, written);
        return frame;
    }

    /// <summary>Opens one whole frame through the stream API; the status, what it gave and the error.</summary>
    public static (FrameDecodeStatus Status, byte[] Plaintext, FrameError Error) Open(ExtendedFrameDecoder decoder, byte[] frame)
    {
        var buffer = new System.Buffers.ReadOnlySequence<byte>(frame);
        var status = decoder.TryDecode(ref buffer, out _, out var plaintext, out var error);
        return (status, plaintext, error);
    }
}
