using System.Buffers;
using Sasync.Core.Net;

namespace Sasync.Core.Wire.Extended;

/// <summary>
/// Seals frames of one direction of an extended session: AES-256-GCM under the direction's traffic key, the
/// header as associated data, nonce = salt || sequence, sequence 0, 1, 2, ... After
/// <see cref="ExtendedChannelOptions.RekeyAfterFrames"/> frames or <see cref="ExtendedChannelOptions.RekeyAfterBytes"/>
/// plaintext bytes under one key it moves to the next generation and forgets the old key.
/// Not thread-safe: one per session.
/// </summary>
public sealed class ExtendedFrameEncoder : IFrameEncoder, IDisposable
{
    private TrafficKeyState _key;
    private long _framesUnderKey;
    private long _bytesUnderKey;

    /// <summary>The encoder of our direction of a session: the dialler's key when <paramref name="weAreDialler"/>, else the acceptor's.</summary>
    public ExtendedFrameEncoder(ExtendedSessionSecrets secrets, bool weAreDialler, ExtendedChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _key = new TrafficKeyState(secrets.TrafficKey(weAreDialler), secrets.NonceSalt(weAreDialler), 0, options.Aead);
    }

    /// <summary>An encoder from a raw traffic key (32 bytes) of <paramref name="generation"/> and nonce salt (4 bytes), for tools and tests.</summary>
    /// <exception cref="ArgumentException">The key or salt has the wrong length.</exception>
    public ExtendedFrameEncoder(ReadOnlySpan<byte> trafficKey, ReadOnlySpan<byte> nonceSalt, ExtendedChannelOptions options, uint generation = 0, ulong nextSequence = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _key = new TrafficKeyState(trafficKey, nonceSalt, generation, options.Aead);
        NextSequence = nextSequence;
    }

    /// <summary>The limits this encoder keeps to.</summary>
    public ExtendedChannelOptions Options { get; }

    /// <summary>The key generation of the last frame sealed (0 until the first rekey).</summary>
    public uint Generation => _key.Generation;

    /// <summary>The sequence number the next frame gets.</summary>
    public ulong NextSequence { get; private set; }

    /// <summary>Whether a frame of this type and plaintext length can be sent under <paramref name="options"/>; its length when it can.</summary>
    public static bool TryGetFrameLength(WireMessageType type, int plaintextLength, ExtendedChannelOptions options, out int frameLength, out FrameError error)
    {
        ArgumentNullException.ThrowIfNull(options);
        frameLength = 0;
        error = (uint)type > (uint)WireMessageType.PfKey ? FrameError.BadType
            : plaintextLength <= 0 ? FrameError.PlaintextTooShort
            : plaintextLength > options.MaxPlaintextLength ? FrameError.PlaintextTooLong
            : FrameError.None;
        if (error != FrameError.None)
        {
            return false;
        }

        frameLength = ExtendedFrameLayout.FrameLengthFor(plaintextLength);
        return true;
    }

    /// <summary>Seals one frame into a caller buffer; allocates nothing (but at a rekey).</summary>
    public bool TryEncode(WireMessageType type, ReadOnlySpan<byte> plaintext, Span<byte> destination, out int bytesWritten, out FrameError error)
    {
        bytesWritten = 0;
        if (!TryGetFrameLength(type, plaintext.Length, Options, out var frameLength, out error))
        {
            return false;
        }

        if (destination.Length < frameLength)
        {
            error = FrameError.DestinationTooSmall;
            return false;
        }

        if (!TryPrepareKey(out error))
        {
            return false;
        }

        Seal(type, plaintext, destination[..frameLength]);
        bytesWritten = frameLength;
        return true;
    }

    /// <inheritdoc/>
    public bool TryEncode(WireMessageType type, ReadOnlySpan<byte> plaintext, IBufferWriter<byte> destination, out string error)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!TryGetFrameLength(type, plaintext.Length, Options, out var frameLength, out var failure) || !TryPrepareKey(out failure))
        {
            error = failure.Describe();
            return false;
        }

        Seal(type, plaintext, destination.GetSpan(frameLength)[..frameLength]);
        destination.Advance(frameLength);
        error = "";
        return true;
    }

    /// <summary>Zeroes the current key.</summary>
    public void Dispose() => _key.Dispose();

    /// <summary>Moves to the next generation when the current key has carried its share; refuses when numbers would wrap.</summary>
    private bool TryPrepareKey(out FrameError error)
    {
        error = FrameError.None;
        if (NextSequence == ulong.MaxValue)
        {
            error = FrameError.ExtendedExhausted;
            return false;
        }

        if (_framesUnderKey < Options.RekeyAfterFrames && _bytesUnderKey < Options.RekeyAfterBytes)
        {
            return true;
        }

        if (!_key.CanRatchet)
        {
            error = FrameError.ExtendedExhausted;
            return false;
        }

        var next = _key.Next();
        _key.Dispose();
        _key = next;
        _framesUnderKey = 0;
        _bytesUnderKey = 0;
        return true;
    }

    private void Seal(WireMessageType type, ReadOnlySpan<byte> plaintext, Span<byte> frame)
    {
        var header = new ExtendedFrameHeader(type, plaintext.Length, _key.Generation, NextSequence);
        header.WriteTo(frame);
        Span<byte> nonce = stackalloc byte[ExtendedFrameLayout.NonceSize];
        _key.WriteNonce(NextSequence, nonce);
        var ciphertext = frame.Slice(ExtendedFrameLayout.HeaderSize, plaintext.Length);
        var tag = frame.Slice(ExtendedFrameLayout.HeaderSize + plaintext.Length, ExtendedFrameLayout.TagSize);
        _key.Cipher.Seal(nonce, plaintext, ciphertext, tag, frame[..ExtendedFrameLayout.HeaderSize]);
        NextSequence++;
        _framesUnderKey++;
        _bytesUnderKey += plaintext.Length;
    }
}
