using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary>
/// <c>struct sadb_key</c> followed by the key, padded to 8 bytes: KEY_AUTH and KEY_ENCRYPT.
/// <see cref="Key"/> holds the key's (<see cref="Bits"/>+7)/8 bytes; the padding is not kept.
/// ToString shows only the bit length, never the key.
/// </summary>
public readonly record struct KeyExtension(SadbExtensionType Type, ushort Bits, ReadOnlyMemory<byte> Key) : IPfKeyExtensionWriter
{
    /// <summary>Bytes of the fixed part before the variable-length data, <c>sadb_ext</c> header included.</summary>
    public const int HeaderSize = 8;

    /// <inheritdoc/>
    public int ByteLength => HeaderSize + (((Bits + 63) / 64) * 8);

    /// <summary>A key extension for <paramref name="key"/>, its bit length taken from its size.</summary>
    public static KeyExtension FromKey(SadbExtensionType type, ReadOnlyMemory<byte> key) =>
        key.Length * 8 <= ushort.MaxValue
            ? new KeyExtension(type, (ushort)(key.Length * 8), key)
            : throw new ArgumentOutOfRangeException(nameof(key), key.Length, "a PF_KEY key is at most 65535 bits");

    /// <summary>Reads <paramref name="extension"/> as a <see cref="KeyExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out KeyExtension key, out PfKeyError error)
    {
        key = default;
        if (!ExtensionLayout.TryCheckType(extension, "a key", out error, SadbExtensionType.KeyAuth, SadbExtensionType.KeyEncrypt)
            || !ExtensionLayout.TryCheckMinimumLength(extension, HeaderSize, out error))
        {
            return false;
        }

        var bits = BinaryPrimitives.ReadUInt16LittleEndian(extension.Span[4..]);
        if (bits == 0)
        {
            error = new PfKeyError(4, $"{PfKeyNames.ExtensionTypeName(extension.Type)} has a key of 0 bits");
            return false;
        }

        var expected = HeaderSize + (((bits + 63) / 64) * 8);
        if (extension.Bytes.Length != expected)
        {
            error = new PfKeyError(0, $"{PfKeyNames.ExtensionTypeName(extension.Type)} extension is {extension.Bytes.Length} bytes, expected {expected} for a {bits}-bit key");
            return false;
        }

        key = new KeyExtension(extension.Type, bits, extension.Bytes.Slice(HeaderSize, (bits + 7) / 8));
        return true;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        var length = ByteLength;
        if (Key.Length > length - HeaderSize)
        {
            throw new InvalidOperationException($"a {Key.Length}-byte key does not fit a {Bits}-bit key extension");
        }

        ExtensionLayout.WriteHeader(destination, Type, length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Bits);
        Key.Span.CopyTo(destination[HeaderSize..]);
    }

    /// <summary>Equal when type, bit length and key bytes are equal (the bytes, not the memory they live in).</summary>
    public bool Equals(KeyExtension other) =>
        Type == other.Type && Bits == other.Bits && Key.Span.SequenceEqual(other.Key.Span);

    /// <summary>A hash of type, bit length and key length; never of the key bytes.</summary>
    public override int GetHashCode() => HashCode.Combine(Type, Bits, Key.Length);

    // Key material must never reach a log line.
    /// <summary>Type and bit length only: key material must never reach a log line.</summary>
    public override string ToString() => $"KeyExtension {{ Type = {Type}, Bits = {Bits} }}";
}
