using System.Security.Cryptography;
using System.Runtime.Intrinsics;
using Org.BouncyCastle.Crypto;
using Sasync.Core.Config;

namespace Sasync.Core.Wire;

/// <summary>
/// Turns one complete frame back into (type, plaintext), checking the fixed fields against
/// <see cref="FrameLimits"/>, then the SHA-1 (a mismatch almost always means another key), then the pad bytes.
/// The original does not check the pad bytes; its senders always write them counting down, so a frame whose
/// hash matches but whose pad bytes differ was altered on the way. Never throws on any input.
/// Not thread-safe (cipher, digest and a scratch buffer of the largest ciphertext): one per connection.
/// </summary>
public sealed class FrameDecoder
{
    private readonly IBlockCipher _aes;
    // AES-NI with eight blocks in flight where the CPU has it; BouncyCastle's engine otherwise.
    private readonly AesNiCbc? _aesNi;
    private readonly FrameDigest _sha1 = new();
    private readonly byte[] _scratch;

    /// <summary>A decoder for frames sent under <paramref name="key"/>.</summary>
    /// <param name="key">The shared key of the cluster (AES-128, -192 or -256).</param>
    /// <param name="limits">What to accept; <see cref="FrameLimits.Original"/> when null.</param>
    public FrameDecoder(SharedKey key, FrameLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        Limits = limits ?? FrameLimits.Original;
        _aes = AesCbc.CreateEngine(forEncryption: false, key.Bytes);
        _aesNi = AesNiCbc.IsSupported ? new AesNiCbc(key.Bytes) : null;
        _scratch = new byte[Limits.MaxCiphertextLength];
    }

    /// <summary>What this decoder accepts; it holds a scratch buffer of <see cref="FrameLimits.MaxCiphertextLength"/> bytes.</summary>
    public FrameLimits Limits { get; }

    /// <summary>
    /// Decodes into a caller buffer; the plaintext is <c>destination[..header.PlaintextLength]</c>. Up to 15 bytes
    /// after it, to the ciphertext's length, may be used while decrypting and are left zero. Allocates nothing.
    /// </summary>
    public bool TryDecode(ReadOnlySpan<byte> frame, Span<byte> destination, out FrameHeader header, out FrameError error)
    {
        if (!TryCheckWhole(frame, out header, out error))
        {
            return false;
        }

        if (destination.Length < header.PlaintextLength)
        {
            error = FrameError.DestinationTooSmall;
            return false;
        }

        return TryOpen(header, frame, destination, out error);
    }

    /// <summary>Decodes into a new plaintext array of exactly the plaintext's length.</summary>
    public bool TryDecode(ReadOnlySpan<byte> frame, out DecodedFrame decoded, out FrameError error)
    {
        decoded = default;
        return TryCheckWhole(frame, out var header, out error) && TryOpen(header, frame, out decoded, out error);
    }

    /// <summary>Validates the fixed fields at the start of <paramref name="prefix"/>; see <see cref="FrameHeader.Parse"/>.</summary>
    public FrameError ParseHeader(ReadOnlySpan<byte> prefix, out FrameHeader header) => FrameHeader.Parse(prefix, Limits, out header);

    /// <summary>
    /// Decrypts and checks the frame whose valid header is given into the destination. When the destination
    /// holds the whole ciphertext (and is not the frame's own bytes) it is decrypted there, saving a copy, and
    /// the pad bytes after the plaintext (at most 15) are cleared again; a refused frame leaves those bytes zero.
    /// </summary>
    internal bool TryOpen(in FrameHeader header, ReadOnlySpan<byte> frame, Span<byte> destination, out FrameError error)
    {
        if (destination.Length >= header.CiphertextLength && !destination.Overlaps(frame))
        {
            var padded = destination[..header.CiphertextLength];
            error = DecryptAndCheck(header, frame, padded);
            CryptographicOperations.ZeroMemory(error == FrameError.None ? padded[header.PlaintextLength..] : padded);
            return error == FrameError.None;
        }

        var scratch = _scratch.AsSpan(0, header.CiphertextLength);
        error = DecryptAndCheck(header, frame, scratch);
        if (error == FrameError.None)
        {
            scratch[..header.PlaintextLength].CopyTo(destination);
        }

        CryptographicOperations.ZeroMemory(scratch);
        return error == FrameError.None;
    }

    internal bool TryOpen(in FrameHeader header, ReadOnlySpan<byte> frame, out DecodedFrame decoded, out FrameError error)
    {
        var scratch = _scratch.AsSpan(0, header.CiphertextLength);
        error = DecryptAndCheck(header, frame, scratch);
        decoded = error == FrameError.None ? new DecodedFrame(header.Type, scratch[..header.PlaintextLength].ToArray(), header.PadLength) : default;
        CryptographicOperations.ZeroMemory(scratch);
        return error == FrameError.None;
    }

    /// <summary>
    /// Decrypts and checks up to eight consecutive whole frames at the start of <paramref name="frames"/>, whose valid
    /// headers are given, into consecutive plaintexts at the start of <paramref name="destination"/> (frame i's plaintext
    /// right after frame i-1's), hashing them together (<see cref="MultiBufferSha1"/>). The destination needs room for
    /// the last frame's pad bytes too and must not overlap the frames. Returns how many frames, from the first, are good;
    /// when fewer than all, <paramref name="error"/> is the first bad one's, checked in the order a lone frame is.
    /// Everything after the good plaintexts, to the end of what was used, is left zero.
    /// </summary>
    internal int OpenBatch(ReadOnlySpan<byte> frames, ReadOnlySpan<FrameHeader> headers, Span<byte> destination, out FrameError error)
    {
        var count = headers.Length;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MultiBufferSha1.Lanes, nameof(headers));
        Span<int> offsets = stackalloc int[MultiBufferSha1.Lanes];
        Span<int> lengths = stackalloc int[MultiBufferSha1.Lanes];
        Span<bool> padOk = stackalloc bool[MultiBufferSha1.Lanes];
        var frameOffset = 0;
        var written = 0;
        for (var i = 0; i < count; i++)
        {
            var header = headers[i];
            var frame = frames.Slice(frameOffset, header.FrameLength);
            var padded = destination.Slice(written, header.CiphertextLength);
            var iv = Vector128.Create(frame.Slice(FrameLayout.IvOffset, FrameLayout.IvSize));
            Decrypt(frame.Slice(FrameLayout.CiphertextOffset, header.CiphertextLength), padded, iv);

            // The pad bytes are checked now: the next plaintext is decrypted over them.
            padOk[i] = PadBytesValid(padded[header.PlaintextLength..]);
            offsets[i] = written;
            lengths[i] = header.PlaintextLength;
            written += header.PlaintextLength;
            frameOffset += header.FrameLength;
        }

        var used = count == 0 ? 0 : offsets[count - 1] + headers[count - 1].CiphertextLength;
        Span<byte> hashes = stackalloc byte[MultiBufferSha1.Lanes * FrameLayout.HashSize];
        if (count > 0)
        {
            MultiBufferSha1.Compute(destination, offsets[..count], lengths[..count], hashes);
        }

        error = FrameError.None;
        frameOffset = 0;
        var good = 0;
        for (; good < count; good++)
        {
            var hash = frames.Slice(frameOffset + FrameLayout.HashOffset, FrameLayout.HashSize);
            error = !FrameDigest.HashesEqual(hashes.Slice(good * FrameLayout.HashSize, FrameLayout.HashSize), hash) ? FrameError.HashMismatch
                : !padOk[good] ? FrameError.BadPadBytes
                : FrameError.None;
            if (error != FrameError.None)
            {
                break;
            }

            frameOffset += headers[good].FrameLength;
        }

        var kept = good == 0 ? 0 : offsets[good - 1] + lengths[good - 1];
        CryptographicOperations.ZeroMemory(destination[kept..used]);
        CryptographicOperations.ZeroMemory(hashes);
        return good;
    }

    private static bool PadBytesValid(ReadOnlySpan<byte> pad)
    {
        for (var i = 0; i < pad.Length; i++)
        {
            if (pad[i] != pad.Length - i)
            {
                return false;
            }
        }

        return true;
    }

    private bool TryCheckWhole(ReadOnlySpan<byte> frame, out FrameHeader header, out FrameError error)
    {
        error = ParseHeader(frame, out header);
        if (error == FrameError.None && frame.Length != header.FrameLength)
        {
            error = frame.Length < header.FrameLength ? FrameError.Truncated : FrameError.TrailingBytes;
        }

        return error == FrameError.None;
    }

    /// <summary>Decrypts the ciphertext into <paramref name="padded"/> (its length), then checks the hash and the pad bytes.</summary>
    private FrameError DecryptAndCheck(in FrameHeader header, ReadOnlySpan<byte> frame, Span<byte> padded)
    {
        var iv = Vector128.Create(frame.Slice(FrameLayout.IvOffset, FrameLayout.IvSize));
        Decrypt(frame.Slice(FrameLayout.CiphertextOffset, header.CiphertextLength), padded, iv);

        Span<byte> hash = stackalloc byte[FrameLayout.HashSize];
        _sha1.Compute(padded[..header.PlaintextLength], hash);
        if (!FrameDigest.HashesEqual(hash, frame.Slice(FrameLayout.HashOffset, FrameLayout.HashSize)))
        {
            return FrameError.HashMismatch;
        }

        return PadBytesValid(padded[header.PlaintextLength..]) ? FrameError.None : FrameError.BadPadBytes;
    }

    private void Decrypt(ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, Vector128<byte> iv)
    {
        if (_aesNi is { } aesNi)
        {
            aesNi.Decrypt(ciphertext, plaintext, iv);
        }
        else
        {
            AesCbc.Decrypt(_aes, ciphertext, plaintext, iv);
        }
    }
}
