using System.Buffers;
using System.Runtime.InteropServices;
using Sasync.Core.Net;

namespace Sasync.Core.Wire.Extended;

/// <summary>
/// Opens the frames of the other direction of an extended session, in order: the sequence must be exactly the
/// previous one + 1 (0 first), the generation the current one or the next (a rekey: the decoder moves to it once
/// the frame's tag verifies under the next key, and forgets the old key), and the tag must verify over header and
/// ciphertext. Anything else is fatal and final: the decoder refuses every later frame with the same error.
/// Lengths are checked before anything is allocated or buffered. Not thread-safe: one per session.
/// </summary>
public sealed class ExtendedFrameDecoder : IFrameDecoder, IDisposable
{
    private TrafficKeyState _key;
    private byte[]? _joined;

    /// <summary>The decoder of the peer's direction of a session: the acceptor's key when <paramref name="weAreDialler"/>, else the dialler's.</summary>
    public ExtendedFrameDecoder(ExtendedSessionSecrets secrets, bool weAreDialler, ExtendedChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _key = new TrafficKeyState(secrets.TrafficKey(!weAreDialler), secrets.NonceSalt(!weAreDialler), 0, options.Aead);
    }

    /// <summary>
    /// A decoder from a raw traffic key (32 bytes) of <paramref name="generation"/> and nonce salt (4 bytes), expecting
    /// <paramref name="nextSequence"/> next: for <c>decode frame</c> and tests.
    /// </summary>
    /// <exception cref="ArgumentException">The key or salt has the wrong length.</exception>
    public ExtendedFrameDecoder(ReadOnlySpan<byte> trafficKey, ReadOnlySpan<byte> nonceSalt, ExtendedChannelOptions options, uint generation = 0, ulong nextSequence = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _key = new TrafficKeyState(trafficKey, nonceSalt, generation, options.Aead);
        NextSequence = nextSequence;
    }

    /// <summary>The limits this decoder enforces.</summary>
    public ExtendedChannelOptions Options { get; }

    /// <summary>The key generation frames are expected under (or the next one).</summary>
    public uint Generation => _key.Generation;

    /// <summary>The sequence number the next frame must carry.</summary>
    public ulong NextSequence { get; private set; }

    /// <summary>The error that ended this direction, or <see cref="FrameError.None"/>.</summary>
    public FrameError Failure { get; private set; }

    /// <inheritdoc/>
    public FrameDecodeStatus TryDecode(ref ReadOnlySequence<byte> buffer, out WireMessageType type, out byte[] plaintext, out FrameError error)
    {
        // No caller buffer: every plaintext gets an array of its own.
        var status = TryDecode(ref buffer, Memory<byte>.Empty, out type, out var opened, out error);
        plaintext = status == FrameDecodeStatus.Frame && MemoryMarshal.TryGetArray(opened, out var own) && own.Array is { } array ? array : [];
        return status;
    }

    /// <inheritdoc/>
    public FrameDecodeStatus TryDecode(ref ReadOnlySequence<byte> buffer, Memory<byte> destination, out WireMessageType type, out ReadOnlyMemory<byte> plaintext, out FrameError error)
    {
        type = default;
        plaintext = default;
        var status = Next(buffer, out var header, out var frame, out error);
        if (status != FrameDecodeStatus.Frame)
        {
            return status;
        }

        // A plaintext that does not fit the caller's buffer gets an array of its own, as the interface says.
        var output = destination.Length >= header.PlaintextLength ? destination[..header.PlaintextLength] : new byte[header.PlaintextLength];
        if (!TryOpen(header, frame, output.Span, out error))
        {
            return FrameDecodeStatus.Fatal;
        }

        buffer = buffer.Slice(header.FrameLength);
        type = header.Type;
        plaintext = output;
        return FrameDecodeStatus.Frame;
    }

    /// <summary>
    /// Opens the frame at the start of a stream buffer into <paramref name="destination"/> (at least the plaintext's
    /// length; <see cref="ExtendedChannelOptions.MaxPlaintextLength"/> always suffices); the plaintext is
    /// <c>destination[..header.PlaintextLength]</c> and <paramref name="consumed"/> the frame's length. Allocates nothing.
    /// </summary>
    public FrameDecodeStatus TryDecode(ReadOnlySequence<byte> buffer, Span<byte> destination, out ExtendedFrameHeader header, out int consumed, out FrameError error)
    {
        consumed = 0;
        var status = Next(buffer, out header, out var frame, out error);
        if (status != FrameDecodeStatus.Frame)
        {
            return status;
        }

        if (destination.Length < header.PlaintextLength)
        {
            // The caller's mistake, not the stream's: nothing is consumed and a larger buffer may retry.
            error = FrameError.DestinationTooSmall;
            return FrameDecodeStatus.Fatal;
        }

        if (!TryOpen(header, frame, destination[..header.PlaintextLength], out error))
        {
            return FrameDecodeStatus.Fatal;
        }

        consumed = header.FrameLength;
        return FrameDecodeStatus.Frame;
    }

    /// <summary>
    /// Opens exactly one whole frame (no more, no fewer bytes) into <paramref name="destination"/>; the plaintext is
    /// <c>destination[..header.PlaintextLength]</c>. Allocates nothing. The frame counts as the next of the stream.
    /// </summary>
    public bool TryDecode(ReadOnlySpan<byte> frame, Span<byte> destination, out ExtendedFrameHeader header, out FrameError error)
    {
        if (Failure != FrameError.None)
        {
            header = default;
            error = Failure;
            return false;
        }

        error = ExtendedFrameHeader.Parse(frame, Options.MaxPlaintextLength, out header);
        if (error == FrameError.None && frame.Length != header.FrameLength)
        {
            error = frame.Length < header.FrameLength ? FrameError.Truncated : FrameError.TrailingBytes;
        }

        if (error is FrameError.Truncated or FrameError.TrailingBytes)
        {
            return false;
        }

        if (error != FrameError.None)
        {
            Failure = error;
            return false;
        }

        if (destination.Length < header.PlaintextLength)
        {
            error = FrameError.DestinationTooSmall;
            return false;
        }

        return TryOpen(header, frame, destination[..header.PlaintextLength], out error);
    }

    /// <summary>Zeroes the current key.</summary>
    public void Dispose() => _key.Dispose();

    /// <summary>Validates the header as its bytes arrive and, once the whole frame is there, gives it in one piece.</summary>
    private FrameDecodeStatus Next(in ReadOnlySequence<byte> buffer, out ExtendedFrameHeader header, out ReadOnlySpan<byte> frame, out FrameError error)
    {
        header = default;
        frame = default;
        if (Failure != FrameError.None)
        {
            error = Failure;
            return FrameDecodeStatus.Fatal;
        }

        // The header is read where it lies when the first segment holds it (the usual case), else gathered.
        var first = buffer.FirstSpan;
        Span<byte> gathered = stackalloc byte[ExtendedFrameLayout.HeaderSize];
        scoped ReadOnlySpan<byte> prefix;
        if (first.Length >= ExtendedFrameLayout.HeaderSize)
        {
            prefix = first[..ExtendedFrameLayout.HeaderSize];
        }
        else
        {
            var available = (int)Math.Min(buffer.Length, ExtendedFrameLayout.HeaderSize);
            buffer.Slice(0, available).CopyTo(gathered);
            prefix = gathered[..available];
        }

        error = ExtendedFrameHeader.Parse(prefix, Options.MaxPlaintextLength, out header);
        if (error == FrameError.Truncated)
        {
            error = FrameError.None;
            return FrameDecodeStatus.NeedMoreData;
        }

        if (error != FrameError.None)
        {
            Failure = error;
            return FrameDecodeStatus.Fatal;
        }

        var length = header.FrameLength;
        if (buffer.Length < length)
        {
            return FrameDecodeStatus.NeedMoreData;
        }

        if (first.Length >= length)
        {
            frame = first[..length];
        }
        else
        {
            // Bounded: the length was checked against the options above.
            _joined ??= new byte[Options.MaxFrameLength];
            buffer.Slice(0, length).CopyTo(_joined);
            frame = _joined.AsSpan(0, length);
        }

        return FrameDecodeStatus.Frame;
    }

    /// <summary>Checks generation, sequence and tag of a frame whose header is valid; moves the direction on when all hold.</summary>
    private bool TryOpen(in ExtendedFrameHeader header, ReadOnlySpan<byte> frame, Span<byte> plaintext, out FrameError error)
    {
        var key = _key;
        if (header.Generation != _key.Generation)
        {
            if (!_key.CanRatchet || header.Generation != _key.Generation + 1)
            {
                return Fail(FrameError.ExtendedGeneration, out error);
            }

            // The next key is only taken once a frame under it verifies: a forged header cannot move us on.
            key = _key.Next();
        }

        if (header.Sequence != NextSequence || NextSequence == ulong.MaxValue)
        {
            DisposeCandidate(key);
            return Fail(FrameError.ExtendedSequence, out error);
        }

        Span<byte> nonce = stackalloc byte[ExtendedFrameLayout.NonceSize];
        key.WriteNonce(header.Sequence, nonce);
        var ciphertext = frame.Slice(ExtendedFrameLayout.HeaderSize, header.PlaintextLength);
        var tag = frame.Slice(ExtendedFrameLayout.HeaderSize + header.PlaintextLength, ExtendedFrameLayout.TagSize);
        if (!key.Cipher.TryOpen(nonce, ciphertext, tag, plaintext, frame[..ExtendedFrameLayout.HeaderSize]))
        {
            DisposeCandidate(key);
            return Fail(FrameError.ExtendedTag, out error);
        }

        if (!ReferenceEquals(key, _key))
        {
            _key.Dispose();
            _key = key;
        }

        NextSequence++;
        error = FrameError.None;
        return true;
    }

    private void DisposeCandidate(TrafficKeyState key)
    {
        if (!ReferenceEquals(key, _key))
        {
            key.Dispose();
        }
    }

    private bool Fail(FrameError reason, out FrameError error)
    {
        Failure = reason;
        error = reason;
        return false;
    }
}
