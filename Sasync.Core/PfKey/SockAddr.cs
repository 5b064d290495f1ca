using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sasync.Core.PfKey;

/// <summary>
/// BSD socket addresses as OpenBSD lays them out inside PF_KEY address extensions: a length
/// byte, a family byte (AF_INET 2, AF_INET6 24), then the port in network order.
/// </summary>
internal static class SockAddr
{
    public const byte AfInet = 2;
    public const byte AfInet6 = 24;
    public const int InetSize = 16;
    public const int Inet6Size = 28;

    /// <summary>Offset of the sockaddr inside an address extension (after <c>struct sadb_address</c>).</summary>
    public const int OffsetInAddressExtension = 8;

    /// <summary>Reads an AF_INET or AF_INET6 sockaddr; false for other families or a short buffer.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out IPAddress address, out ushort port)
    {
        address = IPAddress.None;
        port = 0;
        if (source.Length < 2)
        {
            return false;
        }

        var length = source[0];
        switch (source[1])
        {
            case AfInet when length >= InetSize && source.Length >= InetSize:
                port = BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
                address = new IPAddress(source.Slice(4, 4));
                return true;
            case AfInet6 when length >= Inet6Size && source.Length >= Inet6Size:
                port = BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
                address = new IPAddress(source.Slice(8, 16), BinaryPrimitives.ReadUInt32LittleEndian(source[24..]));
                return true;
            default:
                return false;
        }
    }

    /// <summary>Reads the address of an address-type extension (SRC, DST, PROXY, masks, flows, DST2).</summary>
    public static bool TryReadFromExtension(PfKeyExtension extension, out IPAddress address, out ushort port)
    {
        address = IPAddress.None;
        port = 0;
        var span = extension.Span;
        return span.Length > OffsetInAddressExtension && TryRead(span[OffsetInAddressExtension..], out address, out port);
    }

    /// <summary>Writes an AF_INET or AF_INET6 sockaddr and returns its size (16 or 28).</summary>
    public static int Write(Span<byte> destination, IPAddress address, ushort port = 0)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            destination[..InetSize].Clear();
            destination[0] = InetSize;
            destination[1] = AfInet;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], port);
            address.TryWriteBytes(destination.Slice(4, 4), out _);
            return InetSize;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            destination[..Inet6Size].Clear();
            destination[0] = Inet6Size;
            destination[1] = AfInet6;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], port);
            address.TryWriteBytes(destination.Slice(8, 16), out _);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], (uint)address.ScopeId);
            return Inet6Size;
        }

        throw new ArgumentException($"address family {address.AddressFamily} has no PF_KEY sockaddr", nameof(address));
    }
}
