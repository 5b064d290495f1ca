namespace Sasync.Core.Wire.Extended;

/// <summary>AES-256-GCM under one key with a 16-byte tag: the one operation each way an extended frame needs.</summary>
internal interface IAesGcmCipher : IDisposable
{
    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (same length) and writes the tag.</summary>
    void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData);

    /// <summary>Checks the tag and decrypts; false (and <paramref name="plaintext"/> zeroed) when the tag does not verify.</summary>
    bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData);
}
