using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_rdomain</c> (8 bytes): X_RDOMAIN, the routing domains of the SA and of its encapsulated traffic.</summary>
public readonly record struct RdomainExtension(ushort Domain1, ushort Domain2) : IPfKeyExtensionWriter
{
    /// <summary>The extension's size in bytes, its <c>sadb_ext</c> header included.</summary>
    public const int Size = 8;

    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.XRdomain;

    /// <inheritdoc/>
    public int ByteLength => Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="RdomainExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out RdomainExtension rdomain, out PfKeyError error)
    {
        rdomain = default;
        if (!ExtensionLayout.TryCheckFixed(extension, SadbExtensionType.XRdomain, Size, "routing domains", out error))
        {
            return false;
        }

        var span = extension.Span;
        rdomain = new RdomainExtension(BinaryPrimitives.ReadUInt16LittleEndian(span[4..]), BinaryPrimitives.ReadUInt16LittleEndian(span[6..]));
        return true;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Domain1);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], Domain2);
    }
}
