using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_mtu</c> (8 bytes): X_MTU, only ever sent by the kernel.</summary>
public readonly record struct MtuExtension(uint Mtu) : IPfKeyExtensionWriter
{
    public const int Size = 8;

    public SadbExtensionType Type => SadbExtensionType.XMtu;

    public int ByteLength => Size;

    public static bool TryRead(PfKeyExtension extension, out MtuExtension mtu, out PfKeyError error)
    {
        mtu = default;
        if (!ExtensionLayout.TryCheckType(extension, "an MTU", out error, SadbExtensionType.XMtu)
            || !ExtensionLayout.TryCheckExactLength(extension, Size, out error))
        {
            return false;
        }

        mtu = new MtuExtension(BinaryPrimitives.ReadUInt32LittleEndian(extension.Span[4..]));
        return true;
    }

    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Mtu);
    }
}
