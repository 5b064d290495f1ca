using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// An IP address as the simulated kernel keys and stores it, read straight from a sockaddr without
/// an <see cref="IPAddress"/> object: the 16 address bytes (IPv4 in the first 4) as two big-endian
/// halves, the IPv6 scope, and the family. Two keys are equal exactly when the
/// <see cref="IPAddress"/> values they stand for are (IPv6 compares the scope too).
/// </summary>
internal readonly record struct AddressKey(ulong High, ulong Low, uint ScopeId, bool IsV6)
{
    /// <summary><see cref="IPAddress.None"/> (255.255.255.255): what an unreadable address keys as.</summary>
    public static readonly AddressKey None = new(0xFFFF_FFFFUL << 32, 0, 0, false);

    public static AddressKey From(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        address.TryWriteBytes(bytes, out _);
        var isV6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        return new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), isV6 ? (uint)address.ScopeId : 0, isV6);
    }

    /// <summary>
    /// Reads the sockaddr of an address extension. False (with <see cref="None"/>) for what
    /// <see cref="AddressExtension.TryCheck"/> refuses: a family other than AF_INET and AF_INET6, or
    /// a sockaddr whose length does not fit its family or its extension.
    /// </summary>
    public static bool TryRead(ReadOnlyMemory<byte> extension, out AddressKey address, out ushort port)
    {
        address = None;
        port = 0;
        if (extension.Length < 4 || !AddressExtension.TryCheck(KernelLayout.View(extension), out _))
        {
            return false;
        }

        var sockaddr = extension.Span[AddressExtension.HeaderSize..];
        port = BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);
        address = sockaddr[1] == SockAddr.AfInet6
            ? new(
                BinaryPrimitives.ReadUInt64BigEndian(sockaddr[8..]),
                BinaryPrimitives.ReadUInt64BigEndian(sockaddr[16..]),
                BinaryPrimitives.ReadUInt32LittleEndian(sockaddr[24..]),
                true)
            : new((ulong)BinaryPrimitives.ReadUInt32BigEndian(sockaddr[4..]) << 32, 0, 0, false);
        return true;
    }

    /// <summary>The key of an address extension; <see cref="None"/> when there is none or it cannot be read.</summary>
    public static AddressKey Read(ReadOnlyMemory<byte>? extension) =>
        extension is { } bytes && TryRead(bytes, out var address, out _) ? address : None;

    /// <summary>The address under <paramref name="mask"/>, as import_flow stores it: a masked address carries no scope.</summary>
    public AddressKey Masked(AddressKey mask) => new(High & mask.High, Low & mask.Low, 0, IsV6);

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Low);
        return IsV6 ? new IPAddress(bytes, ScopeId) : new IPAddress(bytes[..4]);
    }

    /// <summary>Size of the address extension (sadb_address and padded sockaddr) that carries this address.</summary>
    public int ExtensionLength => AddressExtension.HeaderSize + KernelLayout.PadUp(IsV6 ? SockAddr.Inet6Size : SockAddr.InetSize);

    /// <summary>Writes the address extension of <paramref name="type"/> carrying this address and <paramref name="port"/>; returns its size.</summary>
    public int WriteExtension(Span<byte> destination, SadbExtensionType type, ushort port)
    {
        var length = ExtensionLength;
        var extension = destination[..length];
        extension.Clear();
        KernelLayout.WriteExtensionHeader(extension, type);
        var sockaddr = extension[AddressExtension.HeaderSize..];
        sockaddr[0] = IsV6 ? (byte)SockAddr.Inet6Size : (byte)SockAddr.InetSize;
        sockaddr[1] = IsV6 ? SockAddr.AfInet6 : SockAddr.AfInet;
        BinaryPrimitives.WriteUInt16BigEndian(sockaddr[2..], port);
        if (IsV6)
        {
            BinaryPrimitives.WriteUInt64BigEndian(sockaddr[8..], High);
            BinaryPrimitives.WriteUInt64BigEndian(sockaddr[16..], Low);
            BinaryPrimitives.WriteUInt32LittleEndian(sockaddr[24..], ScopeId);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(sockaddr[4..], (uint)(High >> 32));
        }

        return length;
    }
}
