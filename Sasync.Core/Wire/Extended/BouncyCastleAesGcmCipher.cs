using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace Sasync.Core.Wire.Extended;

/// <summary>
/// BouncyCastle's GCM over its AES engine, for platforms without the BCL's AesGcm. The key is set once;
/// each frame re-initialises only the nonce (a null key parameter keeps the key schedule and GHASH key).
/// </summary>
internal sealed class BouncyCastleAesGcmCipher : IAesGcmCipher
{
    private const int TagBits = ExtendedFrameLayout.TagSize * 8;

    private readonly GcmBlockCipher _encrypt = new(AesUtilities.CreateEngine());
    private readonly GcmBlockCipher _decrypt = new(AesUtilities.CreateEngine());
    private readonly byte[] _nonce = new byte[ExtendedFrameLayout.NonceSize];
    // BouncyCastle copies the nonce out of its parameters at each Init, so one keyless instance over _nonce serves every frame.
    private readonly AeadParameters _sameKey;
    private bool _encryptKeyed;
    private bool _decryptKeyed;
    private byte[]? _key;

    public BouncyCastleAesGcmCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length != ExtendedFrameLayout.KeySize)
        {
            throw new ArgumentException($"an AES-256 key is {ExtendedFrameLayout.KeySize} bytes", nameof(key));
        }

        _key = key.ToArray();
        _sameKey = new AeadParameters(null, TagBits, _nonce);
    }

    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        Init(_encrypt, forEncryption: true, nonce, ref _encryptKeyed);
        _encrypt.ProcessAadBytes(associatedData);
        var written = _encrypt.ProcessBytes(plaintext, ciphertext);
        Span<byte> last = stackalloc byte[ExtendedFrameLayout.TagSize + 16];
        var final = _encrypt.DoFinal(last);
        // GCM streams: what ProcessBytes held back comes out of DoFinal before the tag.
        last[..(final - ExtendedFrameLayout.TagSize)].CopyTo(ciphertext[written..]);
        last.Slice(final - ExtendedFrameLayout.TagSize, ExtendedFrameLayout.TagSize).CopyTo(tag);
        CryptographicOperations.ZeroMemory(last);
    }

    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        Init(_decrypt, forEncryption: false, nonce, ref _decryptKeyed);
        _decrypt.ProcessAadBytes(associatedData);
        try
        {
            var written = _decrypt.ProcessBytes(ciphertext, plaintext);
            written += _decrypt.ProcessBytes(tag, plaintext[written..]);
            _decrypt.DoFinal(plaintext[written..]);
            return true;
        }
        catch (InvalidCipherTextException)
        {
            // BouncyCastle writes plaintext blocks before it has checked the tag: none of it may be used.
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }
    }

    public void Dispose()
    {
        if (_key is not null)
        {
            CryptographicOperations.ZeroMemory(_key);
            _key = null;
        }
    }

    private void Init(GcmBlockCipher cipher, bool forEncryption, ReadOnlySpan<byte> nonce, ref bool keyed)
    {
        ObjectDisposedException.ThrowIf(_key is null, this);
        nonce.CopyTo(_nonce);
        // A null key after the first Init keeps the expanded key and the GHASH key.
        cipher.Init(forEncryption, keyed ? _sameKey : new AeadParameters(new KeyParameter(_key), TagBits, _nonce));
        keyed = true;
    }
}
