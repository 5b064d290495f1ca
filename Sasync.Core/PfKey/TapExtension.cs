using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_tap</c> (8 bytes): X_TAP, the enc(4) interface unit.</summary>
public readonly record struct TapExtension(uint Unit) : IPfKeyExtensionWriter
{
    public const int Size = 8;

    public SadbExtensionType Type => SadbExtensionType.XTap;

    public int ByteLength => Size;

    public static bool TryRead(PfKeyExtension extension, out TapExtension tap, out PfKeyError error)
    {
        tap = default;
        if (!ExtensionLayout.TryCheckType(extension, "a tap unit", out error, SadbExtensionType.XTap)
            || !ExtensionLayout.TryCheckExactLength(extension, Size, out error))
        {
            return false;
        }

        tap = new TapExtension(BinaryPrimitives.ReadUInt32LittleEndian(extension.Span[4..]));
        return true;
    }

    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Unit);
    }
}
