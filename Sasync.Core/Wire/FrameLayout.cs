namespace Sasync.Core.Wire;

/// <summary>
/// Byte layout of a peer frame (all integers big-endian):
/// u32 length of the rest, u32 message type, u32 pad length, 20-byte SHA-1 of the plaintext,
/// 16-byte IV, AES-CBC ciphertext of the plaintext followed by the pad bytes.
/// </summary>
public static class FrameLayout
{
    /// <summary>Offset of the u32 length field, which counts the bytes after itself.</summary>
    public const int LengthOffset = 0;

    /// <summary>Offset of the u32 message type (<see cref="WireMessageType"/>).</summary>
    public const int TypeOffset = 4;

    /// <summary>Offset of the u32 count of pad bytes at the end of the ciphertext.</summary>
    public const int PadLengthOffset = 8;

    /// <summary>Offset of the SHA-1 of the plaintext (without pad bytes).</summary>
    public const int HashOffset = 12;

    /// <summary>Offset of the AES-CBC IV.</summary>
    public const int IvOffset = 32;

    /// <summary>Offset of the ciphertext; also the size of everything before it.</summary>
    public const int CiphertextOffset = 48;

    /// <summary>The three u32 fields; enough to validate a frame before its body arrives.</summary>
    public const int FixedFieldsSize = 12;

    /// <summary>Bytes of the SHA-1.</summary>
    public const int HashSize = 20;

    /// <summary>Bytes of the IV (one AES block).</summary>
    public const int IvSize = 16;

    /// <summary>The AES block size; the ciphertext is a whole number of blocks.</summary>
    public const int BlockSize = 16;

    /// <summary>Bytes counted by the length field besides the ciphertext: type, pad length, hash, IV.</summary>
    public const int LengthFieldOverhead = CiphertextOffset - TypeOffset;

    /// <summary>The largest pad length a sender produces (the block size minus one).</summary>
    public const int MaxPadLength = BlockSize - 1;

    /// <summary>A control frame: 12 plaintext bytes padded to one block.</summary>
    public const int ControlFrameLength = CiphertextOffset + BlockSize;

    /// <summary>Pad bytes the original appends: none for whole blocks, else up to the next block boundary.</summary>
    public static int PadLengthFor(int plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        var rest = plaintextLength % BlockSize;
        return rest == 0 ? 0 : BlockSize - rest;
    }

    /// <summary>The ciphertext length of a plaintext: padded up to whole blocks.</summary>
    public static int CiphertextLengthFor(int plaintextLength) => plaintextLength + PadLengthFor(plaintextLength);

    /// <summary>The whole frame, length field included.</summary>
    public static int FrameLengthFor(int plaintextLength) => CiphertextOffset + CiphertextLengthFor(plaintextLength);
}
