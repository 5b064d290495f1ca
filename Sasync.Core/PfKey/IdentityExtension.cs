using System.Buffers.Binary;
using System.Text;

namespace Sasync.Core.PfKey;

/// <summary>
/// <c>struct sadb_ident</c> (16 bytes) followed by a NUL-terminated string padded to 8 bytes:
/// IDENTITY_SRC and IDENTITY_DST. The string is read as UTF-8; bytes that are not UTF-8 read as
/// U+FFFD rather than failing, since the kernel does not check them (the raw bytes still rebuild exactly).
/// </summary>
public readonly record struct IdentityExtension(
    SadbExtensionType Type,
    SadbIdentityType IdentityType,
    ulong Id,
    string Value) : IPfKeyExtensionWriter
{
    /// <summary>Bytes of the fixed part before the variable-length data, <c>sadb_ext</c> header included.</summary>
    public const int HeaderSize = 16;

    /// <inheritdoc/>
    public int ByteLength => HeaderSize + ExtensionLayout.PadUp(Encoding.UTF8.GetByteCount(Value) + 1);

    /// <summary>Reads <paramref name="extension"/> as a <see cref="IdentityExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out IdentityExtension identity, out PfKeyError error)
    {
        identity = default;
        if (!ExtensionLayout.TryCheckType(extension, "an identity", out error, SadbExtensionType.IdentitySrc, SadbExtensionType.IdentityDst)
            || !ExtensionLayout.TryCheckMinimumLength(extension, HeaderSize, out error))
        {
            return false;
        }

        var span = extension.Span;
        var name = PfKeyNames.ExtensionTypeName(extension.Type);
        var text = span[HeaderSize..];
        var end = text.IndexOf((byte)0);
        if (end < 0)
        {
            error = new PfKeyError(HeaderSize, $"{name} string is not NUL-terminated inside its extension");
            return false;
        }

        if (HeaderSize + ExtensionLayout.PadUp(end + 1) != span.Length)
        {
            error = new PfKeyError(0, $"{name} extension is {span.Length} bytes, expected {HeaderSize + ExtensionLayout.PadUp(end + 1)} for a {end}-byte string");
            return false;
        }

        identity = new IdentityExtension(
            extension.Type,
            (SadbIdentityType)BinaryPrimitives.ReadUInt16LittleEndian(span[4..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[8..]),
            Encoding.UTF8.GetString(text[..end]));
        return true;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        var length = ByteLength;
        ExtensionLayout.WriteHeader(destination, Type, length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], (ushort)IdentityType);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Id);
        Encoding.UTF8.GetBytes(Value, destination[HeaderSize..length]);
    }
}
