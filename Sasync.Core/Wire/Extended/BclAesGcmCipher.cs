using System.Security.Cryptography;

namespace Sasync.Core.Wire.Extended;

/// <summary>AES-GCM of the BCL (OpenSSL on Linux and the BSDs): AES-NI and carry-less multiply where the CPU has them.</summary>
internal sealed class BclAesGcmCipher(ReadOnlySpan<byte> key) : IAesGcmCipher
{
    private readonly AesGcm _aes = new(key, ExtendedFrameLayout.TagSize);

    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData) =>
        _aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);

    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        try
        {
            _aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // The BCL has already cleared the plaintext; clear again so the contract does not depend on it.
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }
    }

    public void Dispose() => _aes.Dispose();
}
