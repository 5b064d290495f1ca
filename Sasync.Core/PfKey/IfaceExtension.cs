using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_iface</c> (16 bytes): X_IFACE, the sec(4) interface unit and direction.</summary>
public readonly record struct IfaceExtension(uint Unit, SadbDirection Direction) : IPfKeyExtensionWriter
{
    public const int Size = 16;

    public SadbExtensionType Type => SadbExtensionType.XIface;

    public int ByteLength => Size;

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

    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Unit);
        destination[8] = (byte)Direction;
    }
}
