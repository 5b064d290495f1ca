using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_spirange</c> (16 bytes): SPIRANGE of a GETSPI request, in host order.</summary>
public readonly record struct SpiRangeExtension(uint Min, uint Max) : IPfKeyExtensionWriter
{
    /// <summary>The extension's size in bytes, its <c>sadb_ext</c> header included.</summary>
    public const int Size = 16;

    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.SpiRange;

    /// <inheritdoc/>
    public int ByteLength => Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="SpiRangeExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
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

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Min);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Max);
    }
}
