namespace Sasync.Core.Wire.Extended;

/// <summary>
/// Byte layout of an extended frame (integers big-endian; the header is the AEAD's associated data):
/// u32 message type | u32 plaintext length | u32 key generation | u64 sequence | ciphertext (length bytes) | 16-byte tag.
/// The 12-byte nonce is the direction's 4-byte salt followed by the u64 sequence.
/// </summary>
public static class ExtendedFrameLayout
{
    /// <summary>Offset of the u32 message type (<see cref="WireMessageType"/>).</summary>
    public const int TypeOffset = 0;

    /// <summary>Offset of the u32 plaintext length (which is also the ciphertext's).</summary>
    public const int LengthOffset = 4;

    /// <summary>Offset of the u32 key generation: 0 for the session's first key, +1 at each rekey.</summary>
    public const int GenerationOffset = 8;

    /// <summary>Offset of the u64 sequence number: 0 for the direction's first frame, +1 for each after.</summary>
    public const int SequenceOffset = 12;

    /// <summary>Bytes of the header, which is authenticated as associated data; also the ciphertext's offset.</summary>
    public const int HeaderSize = 20;

    /// <summary>Bytes of the GCM tag after the ciphertext.</summary>
    public const int TagSize = 16;

    /// <summary>Bytes of the header and the tag together: what a frame adds to its plaintext.</summary>
    public const int Overhead = HeaderSize + TagSize;

    /// <summary>Bytes of the GCM nonce: salt then sequence.</summary>
    public const int NonceSize = 12;

    /// <summary>Bytes of the per-direction nonce salt.</summary>
    public const int NonceSaltSize = 4;

    /// <summary>Bytes of a traffic key (AES-256).</summary>
    public const int KeySize = 32;

    /// <summary>The whole frame for a plaintext of this length.</summary>
    public static int FrameLengthFor(int plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        return Overhead + plaintextLength;
    }
}
