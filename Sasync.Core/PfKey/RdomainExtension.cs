using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_rdomain</c> (8 bytes): X_RDOMAIN, the routing domains of the SA and of its encapsulated traffic.</summary>
public readonly record struct RdomainExtension(ushort Domain1, ushort Domain2) : IPfKeyExtensionWriter
{
    public const int Size = 8;

    public SadbExtensionType Type => SadbExtensionType.XRdomain;

    public int ByteLength => Size;

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

    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Domain1);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], Domain2);
    }
}
