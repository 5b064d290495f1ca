using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_spirange</c> (16 bytes): SPIRANGE of a GETSPI request, in host order.</summary>
public readonly record struct SpiRangeExtension(uint Min, uint Max) : IPfKeyExtensionWriter
{
    public const int Size = 16;

    public SadbExtensionType Type => SadbExtensionType.SpiRange;

    public int ByteLength => Size;

    public static bool TryRead(PfKeyExtension extension, out SpiRangeExtension range, out PfKeyError error)
    {
        range = default;
        if (!ExtensionLayout.TryCheckFixed(extension, SadbExtensionType.SpiRange, Size, "an SPI range", out error))
        {
            return false;
        }

        var span = extension.Span;
        range = new SpiRangeExtension(BinaryPrimitives.ReadUInt32LittleEndian(span[4..]), BinaryPrimitives.ReadUInt32LittleEndian(span[8..]));
        return true;
    }

    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Min);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Max);
    }
}
