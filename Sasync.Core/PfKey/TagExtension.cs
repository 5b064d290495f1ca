using System.Buffers.Binary;
using System.Text;

namespace Sasync.Core.PfKey;

/// <summary>
/// <c>struct sadb_x_tag</c> (8 bytes) followed by a pf tag name: X_TAG. <c>taglen</c> counts the
/// name and its NUL; the extension is padded to 8 bytes.
/// </summary>
public readonly record struct TagExtension(string Tag) : IPfKeyExtensionWriter
{
    /// <summary>Bytes of the fixed part before the variable-length data, <c>sadb_ext</c> header included.</summary>
    public const int HeaderSize = 8;

    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.XTag;

    /// <inheritdoc/>
    public int ByteLength => HeaderSize + ExtensionLayout.PadUp(Encoding.UTF8.GetByteCount(Tag) + 1);

    /// <summary>Reads <paramref name="extension"/> as a <see cref="TagExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out TagExtension tag, out PfKeyError error)
    {
        tag = default;
        if (!ExtensionLayout.TryCheckType(extension, "a tag", out error, SadbExtensionType.XTag)
            || !ExtensionLayout.TryCheckMinimumLength(extension, HeaderSize, out error))
        {
            return false;
        }

        var span = extension.Span;
        var tagLength = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        if (tagLength > (uint)(span.Length - HeaderSize))
        {
            error = new PfKeyError(4, $"TAG length {tagLength} runs past its {span.Length}-byte extension");
            return false;
        }

        var text = span.Slice(HeaderSize, (int)tagLength);
        var end = text.IndexOf((byte)0);
        text = end < 0 ? text : text[..end];
        tag = new TagExtension(Encoding.UTF8.GetString(text));
        return true;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        var length = ByteLength;
        ExtensionLayout.WriteHeader(destination, Type, length);
        var written = Encoding.UTF8.GetBytes(Tag, destination[HeaderSize..length]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)written + 1);
    }
}
