namespace Sasync.Core.Wire;

/// <summary>
/// Why a frame could not be encoded or decoded. Every decode error on a stream is fatal: the connection
/// must be closed, because the stream cannot be trusted to be in step any more.
/// </summary>
public enum FrameError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The buffer ends before the frame does (single-frame decoding only; a reader waits instead).</summary>
    Truncated,

    /// <summary>Bytes follow the frame (single-frame decoding only).</summary>
    TrailingBytes,

    /// <summary>The length field gives a ciphertext outside the limits (12..4096 bytes for the original).</summary>
    BadLength,

    /// <summary>The ciphertext is not a whole number of AES blocks.</summary>
    BadCiphertextLength,

    /// <summary>The message type is neither control (0) nor PF_KEY (1).</summary>
    BadType,

    /// <summary>The pad length is above 15 or longer than the ciphertext.</summary>
    BadPadLength,

    /// <summary>The SHA-1 of the decrypted plaintext differs from the one sent: most likely another key.</summary>
    HashMismatch,

    /// <summary>The plaintext matched its hash but the pad bytes do not count down: the frame was altered.</summary>
    BadPadBytes,

    /// <summary>Encoding: an empty plaintext would make a ciphertext the original refuses.</summary>
    PlaintextTooShort,

    /// <summary>Encoding: the padded plaintext would exceed the 4096 bytes the original accepts.</summary>
    PlaintextTooLong,

    /// <summary>The caller's buffer is too small for the frame or the plaintext.</summary>
    DestinationTooSmall,

    /// <summary>Extended channel: the AES-GCM tag does not verify (an altered frame, another session's keys, or a forgery).</summary>
    ExtendedTag,

    /// <summary>Extended channel: the sequence number is not exactly one after the previous frame's (a gap or a replay).</summary>
    ExtendedSequence,

    /// <summary>Extended channel: the key generation is neither the current one nor the next.</summary>
    ExtendedGeneration,

    /// <summary>Extended channel, encoding: the key generation or sequence number would wrap; the session must end.</summary>
    ExtendedExhausted,

    /// <summary>Handshake: the peer's FINISHED is missing or does not verify (a HELLO altered on the way, such as a downgrade).</summary>
    BadFinished,
}

/// <summary>Human-readable descriptions of <see cref="FrameError"/> values.</summary>
public static class FrameErrorMessages
{
    /// <summary>A short sentence for logs and the command line.</summary>
    public static string Describe(this FrameError error) => error switch
    {
        FrameError.None => "no error",
        FrameError.Truncated => "the frame is truncated",
        FrameError.TrailingBytes => "bytes follow the frame",
        FrameError.BadLength => "the length field is out of range",
        FrameError.BadCiphertextLength => "the ciphertext is not a whole number of 16-byte blocks",
        FrameError.BadType => "unknown message type (expected 0 control or 1 PF_KEY)",
        FrameError.BadPadLength => "the pad length is above 15 or beyond the ciphertext",
        FrameError.HashMismatch => "the SHA-1 of the plaintext does not match (wrong shared key?)",
        FrameError.BadPadBytes => "the pad bytes do not count down (altered frame)",
        FrameError.PlaintextTooShort => "an empty plaintext cannot be sent",
        FrameError.PlaintextTooLong => "the plaintext pads past 4096 bytes, which peers refuse",
        FrameError.DestinationTooSmall => "the destination buffer is too small",
        FrameError.ExtendedTag => "the extended frame's authentication tag does not verify (altered, replayed from another session, or forged)",
        FrameError.ExtendedSequence => "the extended frame's sequence number is not the next one (gap or replay)",
        FrameError.ExtendedGeneration => "the extended frame's key generation is neither the current nor the next one",
        FrameError.ExtendedExhausted => "the extended channel's sequence numbers or key generations are used up",
        FrameError.BadFinished => "the handshake's FINISHED is missing or does not verify (altered HELLO, downgrade?)",
        _ => $"frame error {(int)error}",
    };
}
