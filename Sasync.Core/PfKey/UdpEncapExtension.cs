using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_udpencap</c> (8 bytes): X_UDPENCAP, the ESP-in-UDP port (network order on the wire).</summary>
public readonly record struct UdpEncapExtension(ushort Port) : IPfKeyExtensionWriter
{
    /// <summary>The extension's size in bytes, its <c>sadb_ext</c> header included.</summary>
    public const int Size = 8;

    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.XUdpEncap;

    /// <inheritdoc/>
    public int ByteLength => Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="UdpEncapExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
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

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], Port);
    }
}
