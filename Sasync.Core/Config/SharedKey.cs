using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Sasync.Core.Config;

/// <summary>
/// The AES key shared by every node (<c>sharedkey</c>). Its bytes never appear in
/// <see cref="ToString"/>, logs or JSON output: only its length in bits.
/// </summary>
public sealed class SharedKey : IEquatable<SharedKey>
{
    private readonly byte[] _bytes;

    /// <summary>A key holding a copy of <paramref name="bytes"/>.</summary>
    /// <exception cref="ArgumentException">The key is not 16, 24 or 32 bytes long.</exception>
    public SharedKey(ReadOnlySpan<byte> bytes)
    {
        if (!IsValidLength(bytes.Length))
        {
            throw new ArgumentException($"a shared key must be 16, 24 or 32 bytes, not {bytes.Length}", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>True for the AES key lengths: 16, 24 or 32 <paramref name="bytes"/>.</summary>
    public static bool IsValidLength(int bytes) => bytes is 16 or 24 or 32;

    /// <summary>
    /// Reads the value of <c>sharedkey</c>: <c>0x</c> followed by an even number of hex digits, or a plain
    /// string whose UTF-8 bytes are the key. The error never quotes <paramref name="text"/>.
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out SharedKey? key, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        key = null;
        byte[] bytes;
        if (text.StartsWith("0x", StringComparison.Ordinal))
        {
            var digits = text.AsSpan(2);
            if (digits.ContainsAnyExcept(HexDigits))
            {
                error = "a key that starts with \"0x\" must continue with hex digits only";
                return false;
            }

            if (digits.Length % 2 != 0)
            {
                error = $"the hex key has an odd number of digits ({digits.Length}); each byte takes two";
                return false;
            }

            bytes = Convert.FromHexString(digits);
        }
        else
        {
            bytes = Encoding.UTF8.GetBytes(text);
        }

        if (!IsValidLength(bytes.Length))
        {
            error = string.Create(CultureInfo.InvariantCulture,
                $"the key is {bytes.Length} bytes ({bytes.Length * 8} bits); it must be 16, 24 or 32 bytes (AES-128, AES-192 or AES-256)");
            return false;
        }

        key = new SharedKey(bytes);
        error = null;
        return true;
    }

    internal static readonly System.Buffers.SearchValues<char> HexDigits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>The key length in bits: 128, 192 or 256.</summary>
    public int Bits => _bytes.Length * 8;

    /// <summary>The key itself, for the cipher only.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The length only, e.g. <c>SharedKey(256 bits)</c>; never the bytes.</summary>
    public override string ToString() => $"SharedKey({Bits} bits)";

    /// <summary>True when <paramref name="other"/> holds the same bytes, compared in constant time.</summary>
    public bool Equals(SharedKey? other) =>
        other is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    /// <inheritdoc cref="Equals(SharedKey?)"/>
    public override bool Equals(object? obj) => Equals(obj as SharedKey);

    /// <summary>The length only, so that the hash tells nothing about the bytes.</summary>
    public override int GetHashCode() => Bits;
}
