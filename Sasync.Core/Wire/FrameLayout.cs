namespace Sasync.Core.Wire;

/// <summary>
/// Byte layout of a peer frame (all integers big-endian):
/// u32 length of the rest, u32 message type, u32 pad length, 20-byte SHA-1 of the plaintext,
/// 16-byte IV, AES-CBC ciphertext of the plaintext followed by the pad bytes.
/// </summary>
public static class FrameLayout
{
    public const int LengthOffset = 0;
    public const int TypeOffset = 4;
    public const int PadLengthOffset = 8;
    public const int HashOffset = 12;
    public const int IvOffset = 32;
    public const int CiphertextOffset = 48;

    /// <summary>The three u32 fields; enough to validate a frame before its body arrives.</summary>
    public const int FixedFieldsSize = 12;

    public const int HashSize = 20;
    public const int IvSize = 16;
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

    public static int CiphertextLengthFor(int plaintextLength) => plaintextLength + PadLengthFor(plaintextLength);

    /// <summary>The whole frame, length field included.</summary>
    public static int FrameLengthFor(int plaintextLength) => CiphertextOffset + CiphertextLengthFor(plaintextLength);
}
