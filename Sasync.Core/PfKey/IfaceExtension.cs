using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_iface</c> (16 bytes): X_IFACE, the sec(4) interface unit and direction.</summary>
public readonly record struct IfaceExtension(uint Unit, SadbDirection Direction) : IPfKeyExtensionWriter
{
    /// <summary>The extension's size in bytes, its <c>sadb_ext</c> header included.</summary>
    public const int Size = 16;

    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.XIface;

    /// <inheritdoc/>
    public int ByteLength => Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="IfaceExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out IfaceExtension iface, out PfKeyError error)
    {
        iface = default;
        if (!ExtensionLayout.TryCheckFixed(extension, SadbExtensionType.XIface, Size, "an interface", out error))
        {
            return false;
        }

        var span = extension.Span;
        iface = new IfaceExtension(BinaryPrimitives.ReadUInt32LittleEndian(span[4..]), (SadbDirection)span[8]);
        return true;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Unit);
        destination[8] = (byte)Direction;
    }
}
