using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_udpencap</c> (8 bytes): X_UDPENCAP, the ESP-in-UDP port (network order on the wire).</summary>
public readonly record struct UdpEncapExtension(ushort Port) : IPfKeyExtensionWriter
{
    public const int Size = 8;

    public SadbExtensionType Type => SadbExtensionType.XUdpEncap;

    public int ByteLength => Size;

    public static bool TryRead(PfKeyExtension extension, out UdpEncapExtension udpEncap, out PfKeyError error)
    {
        udpEncap = default;
        if (!ExtensionLayout.TryCheckFixed(extension, SadbExtensionType.XUdpEncap, Size, "a UDP encapsulation port", out error))
        {
            return false;
        }

        udpEncap = new UdpEncapExtension(BinaryPrimitives.ReadUInt16BigEndian(extension.Span[4..]));
        return true;
    }

    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], Port);
    }
}
