using System.Buffers.Binary;
using System.Security.Cryptography;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

/// <summary>
/// The frame format written out a second time from independent primitives (the BCL's one-shot AES-CBC and
/// SHA-1, neither of which the codec uses), to check the codec's AES and SHA-1 paths against.
/// </summary>
public static class ReferenceFrameCodec
{
    /// <summary>A frame as the original writes it, or with other pad bytes when <paramref name="padBytes"/> is given.</summary>
    public static byte[] Encode(byte[] key, byte[] iv, WireMessageType type, ReadOnlySpan<byte> plaintext, byte[]? padBytes = null)
    {
        var padLength = FrameLayout.PadLengthFor(plaintext.Length);
        var padded = new byte[plaintext.Length + padLength];
        plaintext.CopyTo(padded);
        for (var i = 0; i < padLength; i++)
        {
            padded[plaintext.Length + i] = padBytes?[i] ?? (byte)(padLength - i);
        }

        using var aes = Aes.Create();
        aes.Key = key;
        var ciphertext = aes.EncryptCbc(padded, iv, PaddingMode.None);

        var frame = new byte[FrameLayout.CiphertextOffset + ciphertext.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(frame.Length - FrameLayout.TypeOffset));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(FrameLayout.TypeOffset), (uint)type);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(FrameLayout.PadLengthOffset), (uint)padLength);
        SHA1.HashData(plaintext, frame.AsSpan(FrameLayout.HashOffset, FrameLayout.HashSize));
        iv.CopyTo(frame, FrameLayout.IvOffset);
        ciphertext.CopyTo(frame, FrameLayout.CiphertextOffset);
        return frame;
    }

    /// <summary>
    /// What the codec must make of one whole frame: the fixed fields by the shared rule, then the hash of the
    /// decrypted plaintext, then the pad bytes. The plaintext when it is accepted.
    /// </summary>
    public static FrameError Decode(byte[] key, ReadOnlySpan<byte> frame, out byte[] plaintext)
    {
        plaintext = [];
        var error = FrameHeader.Parse(frame, FrameLimits.Original, out var header);
        if (error != FrameError.None)
        {
            return error;
        }

        if (frame.Length != header.FrameLength)
        {
            return frame.Length < header.FrameLength ? FrameError.Truncated : FrameError.TrailingBytes;
        }

        using var aes = Aes.Create();
        aes.Key = key;
        var padded = aes.DecryptCbc(frame[FrameLayout.CiphertextOffset..], frame.Slice(FrameLayout.IvOffset, FrameLayout.IvSize), PaddingMode.None);
        var body = padded.AsSpan(0, header.PlaintextLength);
        if (!SHA1.HashData(body).AsSpan().SequenceEqual(frame.Slice(FrameLayout.HashOffset, FrameLayout.HashSize)))
        {
            return FrameError.HashMismatch;
        }

        for (var i = 0; i < header.PadLength; i++)
        {
            if (padded[header.PlaintextLength + i] != header.PadLength - i)
            {
                return FrameError.BadPadBytes;
            }
        }

        plaintext = body.ToArray();
        return FrameError.None;
    }
}
