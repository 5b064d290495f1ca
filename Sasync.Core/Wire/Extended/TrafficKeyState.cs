using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Sasync.Core.Wire.Extended;

/// <summary>One direction's key of one generation, its nonce salt and the cipher under it. Owns copies of both.</summary>
internal sealed class TrafficKeyState : IDisposable
{
    private readonly byte[] _key;
    private readonly byte[] _salt;
    private readonly ExtendedAeadProvider _provider;

    public TrafficKeyState(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt, uint generation, ExtendedAeadProvider provider)
    {
        if (key.Length != ExtendedFrameLayout.KeySize)
        {
            throw new ArgumentException($"a traffic key is {ExtendedFrameLayout.KeySize} bytes, not {key.Length}", nameof(key));
        }

        if (salt.Length != ExtendedFrameLayout.NonceSaltSize)
        {
            throw new ArgumentException($"a nonce salt is {ExtendedFrameLayout.NonceSaltSize} bytes, not {salt.Length}", nameof(salt));
        }

        _key = key.ToArray();
        _salt = salt.ToArray();
        _provider = provider;
        Generation = generation;
        Cipher = AesGcmCiphers.Create(provider, _key);
    }

    public uint Generation { get; }

    public IAesGcmCipher Cipher { get; }

    /// <summary>Whether a next generation exists (the u32 does not wrap).</summary>
    public bool CanRatchet => Generation < uint.MaxValue;

    /// <summary>The next generation's state (key = HKDF-Expand(this key, "rekey"), same salt); this one is left as it is.</summary>
    public TrafficKeyState Next()
    {
        Span<byte> next = stackalloc byte[ExtendedFrameLayout.KeySize];
        ExtendedKeySchedule.NextTrafficKey(_key, next);
        var state = new TrafficKeyState(next, _salt, Generation + 1, _provider);
        CryptographicOperations.ZeroMemory(next);
        return state;
    }

    /// <summary>salt || big-endian sequence.</summary>
    public void WriteNonce(ulong sequence, Span<byte> nonce)
    {
        _salt.CopyTo(nonce);
        BinaryPrimitives.WriteUInt64BigEndian(nonce[ExtendedFrameLayout.NonceSaltSize..], sequence);
    }

    public void Dispose()
    {
        Cipher.Dispose();
        CryptographicOperations.ZeroMemory(_key);
        CryptographicOperations.ZeroMemory(_salt);
    }
}
