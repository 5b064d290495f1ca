namespace Sasync.Core.Config;

/// <summary>
/// The AES key shared by every node (<c>sharedkey</c>). Its bytes never appear in
/// <see cref="ToString"/>, logs or JSON output: only its length in bits.
/// </summary>
public sealed class SharedKey : IEquatable<SharedKey>
{
    private readonly byte[] _bytes;

    public SharedKey(ReadOnlySpan<byte> bytes)
    {
        if (!IsValidLength(bytes.Length))
        {
            throw new ArgumentException($"a shared key must be 16, 24 or 32 bytes, not {bytes.Length}", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    public static bool IsValidLength(int bytes) => bytes is 16 or 24 or 32;

    public int Bits => _bytes.Length * 8;

    public ReadOnlySpan<byte> Bytes => _bytes;

    public override string ToString() => $"SharedKey({Bits} bits)";

    public bool Equals(SharedKey? other) =>
        other is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    public override bool Equals(object? obj) => Equals(obj as SharedKey);

    public override int GetHashCode() => Bits;
}
