using System.Buffers.Binary;
using Sasync.Core.Platform;

namespace Sasync.Platform.OpenBSD.Structs;

/// <summary>
/// Messages of the routing socket (sys/net/route.h 1.218, sys/net/if.h 1.221, amd64). Every
/// message starts with msglen (u16), version (u8), type (u8), hdrlen (u16), index (u16);
/// an RTM_IFINFO is a <c>struct if_msghdr</c> whose <c>struct if_data</c> starts at offset 24.
/// </summary>
internal static class RouteMessage
{
    public const int RtMsgHeaderSize = 96;
    public const int IfMsgHeaderSize = 168;
    public const byte Version = 5;
    public const byte TypeIfInfo = 14;

    /// <summary>RTM_DESYNC: the socket's buffer overflowed and messages were lost.</summary>
    public const byte TypeDesync = 16;

    /// <summary>Maximum size of one routing message (RTM_MAXSIZE).</summary>
    public const int MaxSize = 2048;

    public const int VersionOffset = 2;
    public const int TypeOffset = 3;
    public const int IndexOffset = 6;
    public const int IfDataOffset = 24;

    /// <summary>
    /// ROUTE_FILTER(RTM_IFINFO) | ROUTE_FILTER(RTM_DESYNC): the ROUTE_MSGFILTER bitmask that lets only
    /// RTM_IFINFO through, and RTM_DESYNC (the kernel sends it past the filter anyway).
    /// </summary>
    public const uint WatchFilter = (1u << TypeIfInfo) | (1u << TypeDesync);

    /// <summary>Whether <paramref name="message"/> is an RTM_DESYNC of our RTM_VERSION.</summary>
    public static bool IsDesync(ReadOnlySpan<byte> message) =>
        message.Length > TypeOffset && message[VersionOffset] == Version && message[TypeOffset] == TypeDesync;

    /// <summary>
    /// Reads an RTM_IFINFO: false (ignore it) for anything shorter than an if_msghdr, another
    /// RTM_VERSION or another message type, like the original's reader.
    /// </summary>
    public static bool TryReadInterfaceInfo(ReadOnlySpan<byte> message, out ushort interfaceIndex, out LinkState linkState)
    {
        interfaceIndex = 0;
        linkState = default;
        if (message.Length < IfMsgHeaderSize || message[VersionOffset] != Version || message[TypeOffset] != TypeIfInfo)
        {
            return false;
        }

        var declared = BinaryPrimitives.ReadUInt16LittleEndian(message);
        if (declared < IfMsgHeaderSize)
        {
            return false;
        }

        interfaceIndex = BinaryPrimitives.ReadUInt16LittleEndian(message[IndexOffset..]);
        return InterfaceData.TryReadLinkState(message.Slice(IfDataOffset, InterfaceData.Size), out linkState);
    }
}
