using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.Intrinsics;
using Org.BouncyCastle.Crypto;
using Sasync.Core.Config;

namespace Sasync.Core.Wire;

/// <summary>
/// Turns (type, plaintext) into a frame exactly as OpenBSD sasyncd writes it, with a fresh IV per frame.
/// Refuses what the original's receiver would refuse: an empty plaintext or one that pads past 4096 bytes.
/// Not thread-safe (cipher and digest state): use one per connection or thread; it is cheap to create.
/// </summary>
public sealed class FrameEncoder
{
    private readonly IBlockCipher _aes;
    // AES-NI with eight blocks in flight where the CPU has it; BouncyCastle's engine otherwise.
    private readonly AesNiCbc? _aesNi;
    private readonly FrameDigest _sha1 = new();
    private readonly IIvSource _ivSource;

    /// <summary>An encoder for frames under <paramref name="key"/>.</summary>
    /// <param name="key">The shared key of the cluster (AES-128, -192 or -256).</param>
    /// <param name="ivSource">Where IVs come from; the system CSPRNG (<see cref="RandomIvSource"/>) when null. Only tests pass another.</param>
    public FrameEncoder(SharedKey key, IIvSource? ivSource = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        _aes = AesCbc.CreateEngine(forEncryption: true, key.Bytes);
        _aesNi = AesNiCbc.IsSupported ? new AesNiCbc(key.Bytes) : null;
        _ivSource = ivSource ?? new RandomIvSource();
    }

    /// <summary>Checks a plaintext against what the original accepts; gives the frame length when it fits.</summary>
    public static bool TryGetFrameLength(WireMessageType type, int plaintextLength, out int frameLength, out FrameError error)
    {
        frameLength = 0;
        var limits = FrameLimits.Original;
        if ((uint)type > limits.MaxMessageType)
        {
            error = FrameError.BadType;
            return false;
        }

        if (plaintextLength > limits.MaxCiphertextLength)
        {
            error = FrameError.PlaintextTooLong;
            return false;
        }

        var ciphertextLength = FrameLayout.CiphertextLengthFor(plaintextLength);
        error = ciphertextLength < limits.MinCiphertextLength ? FrameError.PlaintextTooShort
            : ciphertextLength > limits.MaxCiphertextLength ? FrameError.PlaintextTooLong
            : FrameError.None;
        if (error != FrameError.None)
        {
            return false;
        }

        frameLength = FrameLayout.CiphertextOffset + ciphertextLength;
        return true;
    }

    /// <summary>Encodes into a caller buffer; allocates nothing.</summary>
    public bool TryEncode(WireMessageType type, ReadOnlySpan<byte> plaintext, Span<byte> destination, out int bytesWritten, out FrameError error)
    {
        bytesWritten = 0;
        if (!TryGetFrameLength(type, plaintext.Length, out var frameLength, out error))
        {
            return false;
        }

        if (destination.Length < frameLength)
        {
            error = FrameError.DestinationTooSmall;
            return false;
        }

        Write(type, plaintext, destination[..frameLength]);
        bytesWritten = frameLength;
        return true;
    }

    /// <summary>Encodes into a new array of exactly the frame's length.</summary>
    public bool TryEncode(WireMessageType type, ReadOnlySpan<byte> plaintext, [NotNullWhen(true)] out byte[]? frame, out FrameError error)
    {
        frame = null;
        if (!TryGetFrameLength(type, plaintext.Length, out var frameLength, out error))
        {
            return false;
        }

        frame = new byte[frameLength];
        Write(type, plaintext, frame);
        return true;
    }

    /// <summary>Encodes straight into a writer such as a PipeWriter; allocates nothing of its own.</summary>
    public bool TryEncode(WireMessageType type, ReadOnlySpan<byte> plaintext, IBufferWriter<byte> writer, out FrameError error)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!TryGetFrameLength(type, plaintext.Length, out var frameLength, out error))
        {
            return false;
        }

        Write(type, plaintext, writer.GetSpan(frameLength)[..frameLength]);
        writer.Advance(frameLength);
        return true;
    }

    /// <summary>
    /// Encodes several messages into consecutive frames at the start of <paramref name="destination"/>, byte for byte
    /// what <see cref="TryEncode(WireMessageType, ReadOnlySpan{byte}, Span{byte}, out int, out FrameError)"/> writes for
    /// each in turn (with the IVs drawn in the same order), but hashing up to eight frames at once
    /// (<see cref="MultiBufferSha1"/>) and encrypting eight side by side (<see cref="AesNiCbc.EncryptInPlace"/>) where the CPU has AVX2 and AES-NI.
    /// Every message is checked first: when one cannot be framed, or the frames do not fit, nothing is written.
    /// Allocates nothing.
    /// </summary>
    public bool TryEncode(ReadOnlySpan<WireMessageType> types, ReadOnlySpan<ReadOnlyMemory<byte>> plaintexts, Span<byte> destination, out int bytesWritten, out FrameError error)
    {
        bytesWritten = 0;
        if (!TryGetFramesLength(types, plaintexts, out var total, out error))
        {
            return false;
        }

        if (destination.Length < total)
        {
            error = FrameError.DestinationTooSmall;
            return false;
        }

        bytesWritten = WriteAll(types, plaintexts, destination);
        return true;
    }

    /// <summary>
    /// Appends the frames of several messages to a writer such as a PipeWriter, as the span overload writes them.
    /// Allocates nothing of its own.
    /// </summary>
    public bool TryEncode(ReadOnlySpan<WireMessageType> types, ReadOnlySpan<ReadOnlyMemory<byte>> plaintexts, IBufferWriter<byte> writer, out FrameError error)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!TryGetFramesLength(types, plaintexts, out var total, out error))
        {
            return false;
        }

        writer.Advance(WriteAll(types, plaintexts, writer.GetSpan(total)[..total]));
        return true;
    }

    // Every message is checked before anything is written.
    private static bool TryGetFramesLength(ReadOnlySpan<WireMessageType> types, ReadOnlySpan<ReadOnlyMemory<byte>> plaintexts, out int total, out FrameError error)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(plaintexts.Length, types.Length, nameof(plaintexts));
        total = 0;
        error = FrameError.None;
        for (var i = 0; i < types.Length; i++)
        {
            if (!TryGetFrameLength(types[i], plaintexts[i].Length, out var frameLength, out error))
            {
                return false;
            }

            total += frameLength;
        }

        return true;
    }

    // Checked messages, in batches of up to eight; returns the bytes written.
    private int WriteAll(ReadOnlySpan<WireMessageType> types, ReadOnlySpan<ReadOnlyMemory<byte>> plaintexts, Span<byte> destination)
    {
        var written = 0;
        for (var start = 0; start < types.Length; start += MultiBufferSha1.Lanes)
        {
            var count = Math.Min(MultiBufferSha1.Lanes, types.Length - start);
            written += WriteBatch(types.Slice(start, count), plaintexts.Slice(start, count), destination[written..]);
        }

        return written;
    }

    /// <summary>A control frame always fits (64 bytes).</summary>
    public byte[] Encode(ControlMessage message)
    {
        Span<byte> plaintext = stackalloc byte[ControlMessage.Size];
        message.WriteTo(plaintext);
        var frame = new byte[FrameLayout.ControlFrameLength];
        Write(WireMessageType.Control, plaintext, frame);
        return frame;
    }

    /// <summary>Encodes a control frame (64 bytes) into <paramref name="destination"/>; false with <see cref="FrameError.DestinationTooSmall"/> when it is shorter.</summary>
    public bool TryEncode(ControlMessage message, Span<byte> destination, out int bytesWritten, out FrameError error)
    {
        Span<byte> plaintext = stackalloc byte[ControlMessage.Size];
        message.WriteTo(plaintext);
        return TryEncode(WireMessageType.Control, plaintext, destination, out bytesWritten, out error);
    }

    /// <summary>
    /// Writes up to eight checked frames that fit: each frame's fields, IV and padded plaintext in place, then the
    /// hashes of all of them, then the encryption of the padded plaintexts where they lie. Returns the bytes written.
    /// </summary>
    private int WriteBatch(ReadOnlySpan<WireMessageType> types, ReadOnlySpan<ReadOnlyMemory<byte>> plaintexts, Span<byte> destination)
    {
        var count = types.Length;
        if (count == 1 || !MultiBufferSha1.IsSupported)
        {
            var written = 0;
            for (var i = 0; i < count; i++)
            {
                var frameLength = FrameLayout.FrameLengthFor(plaintexts[i].Length);
                Write(types[i], plaintexts[i].Span, destination.Slice(written, frameLength));
                written += frameLength;
            }

            return written;
        }

        Span<int> frameOffsets = stackalloc int[MultiBufferSha1.Lanes];
        Span<int> bodyOffsets = stackalloc int[MultiBufferSha1.Lanes];
        Span<int> plaintextLengths = stackalloc int[MultiBufferSha1.Lanes];
        Span<int> bodyLengths = stackalloc int[MultiBufferSha1.Lanes];
        Span<Vector128<byte>> ivs = stackalloc Vector128<byte>[MultiBufferSha1.Lanes];
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var plaintext = plaintexts[i].Span;
            var frame = destination.Slice(offset, FrameLayout.FrameLengthFor(plaintext.Length));
            var padLength = WriteFields(types[i], plaintext.Length, frame);
            var iv = frame.Slice(FrameLayout.IvOffset, FrameLayout.IvSize);
            _ivSource.Fill(iv);
            ivs[i] = Vector128.Create((ReadOnlySpan<byte>)iv);

            // The body holds the padded plaintext until it is encrypted where it lies.
            var body = frame[FrameLayout.CiphertextOffset..];
            plaintext.CopyTo(body);
            WritePad(body.Slice(plaintext.Length, padLength));

            frameOffsets[i] = offset;
            bodyOffsets[i] = offset + FrameLayout.CiphertextOffset;
            plaintextLengths[i] = plaintext.Length;
            bodyLengths[i] = body.Length;
            offset += frame.Length;
        }

        Span<byte> hashes = stackalloc byte[MultiBufferSha1.Lanes * FrameLayout.HashSize];
        MultiBufferSha1.Compute(destination, bodyOffsets[..count], plaintextLengths[..count], hashes);
        for (var i = 0; i < count; i++)
        {
            hashes.Slice(i * FrameLayout.HashSize, FrameLayout.HashSize).CopyTo(destination.Slice(frameOffsets[i] + FrameLayout.HashOffset, FrameLayout.HashSize));
        }

        if (_aesNi is { } aesNi)
        {
            aesNi.EncryptInPlace(destination, bodyOffsets[..count], bodyLengths[..count], ivs[..count]);
            return offset;
        }

        for (var i = 0; i < count; i++)
        {
            var body = destination.Slice(bodyOffsets[i], bodyLengths[i]);
            AesCbc.Encrypt(_aes, body, body, ref ivs[i]);
        }

        return offset;
    }

    // The length, type and pad-length fields; returns the pad length.
    private static int WriteFields(WireMessageType type, int plaintextLength, Span<byte> frame)
    {
        var padLength = FrameLayout.PadLengthFor(plaintextLength);
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(frame.Length - FrameLayout.TypeOffset));
        BinaryPrimitives.WriteUInt32BigEndian(frame[FrameLayout.TypeOffset..], (uint)type);
        BinaryPrimitives.WriteUInt32BigEndian(frame[FrameLayout.PadLengthOffset..], (uint)padLength);
        return padLength;
    }

    // Pad bytes count down to 1, as the original writes them.
    private static void WritePad(Span<byte> pad)
    {
        for (var i = 0; i < pad.Length; i++)
        {
            pad[i] = (byte)(pad.Length - i);
        }
    }

    private void Write(WireMessageType type, ReadOnlySpan<byte> plaintext, Span<byte> frame)
    {
        var padLength = WriteFields(type, plaintext.Length, frame);

        _sha1.Compute(plaintext, frame.Slice(FrameLayout.HashOffset, FrameLayout.HashSize));

        var iv = frame.Slice(FrameLayout.IvOffset, FrameLayout.IvSize);
        _ivSource.Fill(iv);
        var chain = Vector128.Create((ReadOnlySpan<byte>)iv);

        var ciphertext = frame[FrameLayout.CiphertextOffset..];
        var wholeBlocks = plaintext.Length - (plaintext.Length % FrameLayout.BlockSize);
        Encrypt(plaintext[..wholeBlocks], ciphertext, ref chain);
        if (padLength == 0)
        {
            return;
        }

        // The last block: the plaintext's tail, then pad bytes counting down to 1.
        Span<byte> last = stackalloc byte[FrameLayout.BlockSize];
        var tail = plaintext[wholeBlocks..];
        tail.CopyTo(last);
        WritePad(last.Slice(tail.Length, padLength));

        Encrypt(last, ciphertext[wholeBlocks..], ref chain);
        last.Clear();
    }

    private void Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, ref Vector128<byte> chain)
    {
        if (_aesNi is { } aesNi)
        {
            aesNi.Encrypt(plaintext, ciphertext, ref chain);
        }
        else
        {
            AesCbc.Encrypt(_aes, plaintext, ciphertext, ref chain);
        }
    }
}
