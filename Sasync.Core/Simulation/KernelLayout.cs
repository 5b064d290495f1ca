using System.Buffers.Binary;
using System.Net;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// Byte layouts of the few PF_KEY extension bodies the simulated kernel reads or produces itself
/// (pfkeyv2.h 1.95, amd64). Everything else it keeps and returns as the raw bytes it was given.
/// </summary>
internal static class KernelLayout
{
    public const int SaSize = 16;
    public const int ProtocolSize = 8;
    public const int LifetimeSize = 32;
    public const int ReplaySize = 16;
    public const int CounterSize = 72;
    public const int MtuSize = 8;
    public const int RdomainSize = 8;
    public const int AddressHeaderSize = 8;

    public static int PadUp(int length) => (length + 7) & ~7;

    public static byte[] NewExtension(SadbExtensionType type, int byteLength)
    {
        var bytes = new byte[byteLength];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)(byteLength / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), (ushort)type);
        return bytes;
    }

    /// <summary>A copy of <paramref name="extension"/> with its type field set to <paramref name="type"/>.</summary>
    public static byte[] Retyped(ReadOnlySpan<byte> extension, SadbExtensionType type)
    {
        var bytes = extension.ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), (ushort)type);
        return bytes;
    }

    // struct sadb_sa: 4 spi (network order), 8 replay, 9 state, 10 auth, 11 encrypt, 12 flags.
    public static uint SaSpi(ReadOnlySpan<byte> sa) => BinaryPrimitives.ReadUInt32BigEndian(sa[4..]);

    public static byte SaState(ReadOnlySpan<byte> sa) => sa[9];

    public static byte[] Sa(SadbExtensionType type, uint spi, byte replay, SadbSaState state, byte auth, byte encrypt, uint flags)
    {
        var bytes = NewExtension(type, SaSize);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), spi);
        bytes[8] = replay;
        bytes[9] = (byte)state;
        bytes[10] = auth;
        bytes[11] = encrypt;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), flags);
        return bytes;
    }

    // struct sadb_protocol: 4 proto, 5 direction, 6 flags.
    public static byte[] Protocol(SadbExtensionType type, byte proto, byte direction = 0, byte flags = 0)
    {
        var bytes = NewExtension(type, ProtocolSize);
        bytes[4] = proto;
        bytes[5] = direction;
        bytes[6] = flags;
        return bytes;
    }

    public static bool TryReadAddress(ReadOnlySpan<byte> extension, out IPAddress address, out ushort port) =>
        SockAddr.TryRead(extension[AddressHeaderSize..], out address, out port);

    public static byte[] Address(SadbExtensionType type, IPAddress address, ushort port = 0)
    {
        Span<byte> sockaddr = stackalloc byte[SockAddr.Inet6Size];
        var length = SockAddr.Write(sockaddr, address, port);
        var bytes = NewExtension(type, AddressHeaderSize + PadUp(length));
        sockaddr[..length].CopyTo(bytes.AsSpan(AddressHeaderSize));
        return bytes;
    }

    /// <summary>An address extension around an empty sockaddr, as export_address lays out a zeroed address.</summary>
    public static byte[] EmptyAddress(SadbExtensionType type) => NewExtension(type, AddressHeaderSize);

    // struct sadb_lifetime: 4 allocations, 8 bytes, 16 addtime, 24 usetime.
    public static bool LifetimeIsSet(ReadOnlySpan<byte> lifetime) => lifetime[4..].ContainsAnyExcept((byte)0);

    public static byte[] Lifetime(SadbExtensionType type, uint allocations, ulong byteCount, ulong addTime, ulong useTime)
    {
        var bytes = NewExtension(type, LifetimeSize);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), allocations);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), byteCount);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), addTime);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(24), useTime);
        return bytes;
    }

    public static (uint Allocations, ulong Bytes, ulong AddTime, ulong UseTime) ReadLifetime(ReadOnlySpan<byte> lifetime) => (
        BinaryPrimitives.ReadUInt32LittleEndian(lifetime[4..]),
        BinaryPrimitives.ReadUInt64LittleEndian(lifetime[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(lifetime[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(lifetime[24..]));

    // struct sadb_spirange: 4 min, 8 max (host order).
    public static (uint Min, uint Max) ReadSpiRange(ReadOnlySpan<byte> range) =>
        (BinaryPrimitives.ReadUInt32LittleEndian(range[4..]), BinaryPrimitives.ReadUInt32LittleEndian(range[8..]));

    // struct sadb_x_rdomain: 4 dom1, 6 dom2.
    public static (ushort Dom1, ushort Dom2) ReadRdomain(ReadOnlySpan<byte> rdomain) =>
        (BinaryPrimitives.ReadUInt16LittleEndian(rdomain[4..]), BinaryPrimitives.ReadUInt16LittleEndian(rdomain[6..]));

    public static byte[] Rdomain(ushort dom1, ushort dom2)
    {
        var bytes = NewExtension(SadbExtensionType.XRdomain, RdomainSize);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), dom1);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), dom2);
        return bytes;
    }

    public static byte[] Replay(ulong count)
    {
        var bytes = NewExtension(SadbExtensionType.XReplay, ReplaySize);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), count);
        return bytes;
    }

    public static byte[] Mtu(uint mtu)
    {
        var bytes = NewExtension(SadbExtensionType.XMtu, MtuSize);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), mtu);
        return bytes;
    }

    /// <summary>struct sadb_x_counter: packet and byte counters, all u64 after a 4-byte pad.</summary>
    public static byte[] Counter(ulong inputPackets, ulong outputPackets, ulong inputBytes, ulong outputBytes)
    {
        var bytes = NewExtension(SadbExtensionType.XCounter, CounterSize);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), inputPackets);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), outputPackets);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(24), inputBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(32), outputBytes);
        return bytes;
    }

    // struct sadb_x_udpencap: 4 port; struct sadb_x_tap: 4 unit.
    public static bool UdpEncapIsSet(ReadOnlySpan<byte> udpencap) => BinaryPrimitives.ReadUInt16LittleEndian(udpencap[4..]) != 0;

    public static bool TapIsSet(ReadOnlySpan<byte> tap) => BinaryPrimitives.ReadUInt32LittleEndian(tap[4..]) != 0;

    /// <summary>Builds a whole message: <paramref name="header"/> with its length recomputed, then the extensions in the given order.</summary>
    public static byte[] Message(SadbHeader header, IEnumerable<byte[]> extensions)
    {
        var list = extensions as IReadOnlyCollection<byte[]> ?? extensions.ToList();
        var length = SadbHeader.Size + list.Sum(e => e.Length);
        var bytes = new byte[length];
        (header with { Length = (ushort)(length / 8) }).WriteTo(bytes);
        var offset = SadbHeader.Size;
        foreach (var extension in list)
        {
            extension.CopyTo(bytes.AsSpan(offset));
            offset += extension.Length;
        }

        return bytes;
    }

    /// <summary>The promiscuous wrapper: a zeroed header of type X_PROMISC with <paramref name="sequence"/>, then the message.</summary>
    public static byte[] PromiscuousCopy(ReadOnlySpan<byte> message, uint sequence)
    {
        var bytes = new byte[SadbHeader.Size + message.Length];
        new SadbHeader(SadbHeader.Version2, SadbMessageType.XPromisc, 0, SadbSaType.Unspec, (ushort)(bytes.Length / 8), 0, sequence, 0).WriteTo(bytes);
        message.CopyTo(bytes.AsSpan(SadbHeader.Size));
        return bytes;
    }
}
