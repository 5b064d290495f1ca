using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Sasync.Core.Wire.Extended;

/// <summary>
/// Derives an extended session's secrets from the cluster's shared key and the two HELLO plaintexts:
/// transcript = SHA-256(label | u32 length | dialler hello | u32 length | acceptor hello); then HKDF-SHA256 with the
/// transcript as salt and the shared key as input keying material gives a 32-byte traffic key and a 4-byte nonce salt
/// per direction, and a 32-byte confirm key for the Finished MACs. Both hellos carry a fresh nonce, so every session
/// has keys of its own; a changed hello byte (a stripped offer) changes every secret.
/// </summary>
public static class ExtendedKeySchedule
{
    /// <summary>The longest HELLO plaintext accepted: a control plaintext is at most 4096 bytes.</summary>
    public const int MaxHelloLength = 4096;

    internal static ReadOnlySpan<byte> TranscriptLabel => "sasyncd-cs extended channel v1 transcript"u8;
    private static ReadOnlySpan<byte> DiallerKeyLabel => "sasyncd-cs v1 traffic key dialler to acceptor"u8;
    private static ReadOnlySpan<byte> AcceptorKeyLabel => "sasyncd-cs v1 traffic key acceptor to dialler"u8;
    private static ReadOnlySpan<byte> DiallerSaltLabel => "sasyncd-cs v1 nonce salt dialler to acceptor"u8;
    private static ReadOnlySpan<byte> AcceptorSaltLabel => "sasyncd-cs v1 nonce salt acceptor to dialler"u8;
    private static ReadOnlySpan<byte> ConfirmKeyLabel => "sasyncd-cs v1 confirm key"u8;
    private static ReadOnlySpan<byte> RekeyLabel => "rekey"u8;

    /// <summary>Derives the secrets of one session.</summary>
    /// <param name="sharedKey">The cluster's shared key bytes (as configured, 16 to 32 bytes).</param>
    /// <param name="diallerHello">The exact control plaintext of the HELLO the dialling side sent.</param>
    /// <param name="acceptorHello">The exact control plaintext of the HELLO the accepting side sent.</param>
    /// <exception cref="ArgumentException">The key is empty or a hello is empty or longer than <see cref="MaxHelloLength"/>.</exception>
    public static ExtendedSessionSecrets Derive(ReadOnlySpan<byte> sharedKey, ReadOnlySpan<byte> diallerHello, ReadOnlySpan<byte> acceptorHello)
    {
        if (sharedKey.IsEmpty)
        {
            throw new ArgumentException("the shared key is empty", nameof(sharedKey));
        }

        CheckHello(diallerHello, nameof(diallerHello));
        CheckHello(acceptorHello, nameof(acceptorHello));

        var transcript = TranscriptHash(diallerHello, acceptorHello);
        Span<byte> prk = stackalloc byte[32];
        HKDF.Extract(HashAlgorithmName.SHA256, sharedKey, transcript, prk);
        var secrets = new ExtendedSessionSecrets(
            transcript,
            Expand(prk, ExtendedFrameLayout.KeySize, DiallerKeyLabel),
            Expand(prk, ExtendedFrameLayout.KeySize, AcceptorKeyLabel),
            Expand(prk, ExtendedFrameLayout.NonceSaltSize, DiallerSaltLabel),
            Expand(prk, ExtendedFrameLayout.NonceSaltSize, AcceptorSaltLabel),
            Expand(prk, 32, ConfirmKeyLabel));
        CryptographicOperations.ZeroMemory(prk);
        return secrets;
    }

    /// <summary>The traffic key of the next generation: HKDF-Expand(current key, "rekey"), 32 bytes.</summary>
    /// <exception cref="ArgumentException">The key or the destination is not 32 bytes.</exception>
    public static void NextTrafficKey(ReadOnlySpan<byte> currentKey, Span<byte> nextKey)
    {
        if (currentKey.Length != ExtendedFrameLayout.KeySize || nextKey.Length != ExtendedFrameLayout.KeySize)
        {
            throw new ArgumentException($"traffic keys are {ExtendedFrameLayout.KeySize} bytes");
        }

        HKDF.Expand(HashAlgorithmName.SHA256, currentKey, nextKey, RekeyLabel);
    }

    /// <summary>SHA-256 over the label and both length-prefixed hellos.</summary>
    internal static byte[] TranscriptHash(ReadOnlySpan<byte> diallerHello, ReadOnlySpan<byte> acceptorHello)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        sha.AppendData(TranscriptLabel);
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)diallerHello.Length);
        sha.AppendData(length);
        sha.AppendData(diallerHello);
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)acceptorHello.Length);
        sha.AppendData(length);
        sha.AppendData(acceptorHello);
        return sha.GetHashAndReset();
    }

    private static byte[] Expand(ReadOnlySpan<byte> prk, int length, ReadOnlySpan<byte> label)
    {
        var output = new byte[length];
        HKDF.Expand(HashAlgorithmName.SHA256, prk, output, label);
        return output;
    }

    private static void CheckHello(ReadOnlySpan<byte> hello, string name)
    {
        if (hello.IsEmpty || hello.Length > MaxHelloLength)
        {
            throw new ArgumentException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"a hello is 1 to {MaxHelloLength} bytes, not {hello.Length}"), name);
        }
    }
}
