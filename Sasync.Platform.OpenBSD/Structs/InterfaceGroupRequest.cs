using System.Buffers.Binary;

namespace Sasync.Platform.OpenBSD.Structs;

/// <summary>
/// <c>struct ifgroupreq</c> of OpenBSD amd64 (40 bytes): group name at 0, u_int ifgr_len at 16,
/// padding, then at 24 a union whose <c>ifgr_attrib.ifg_carp_demoted</c> is an int32. SIOCSIFGATTR
/// takes that field as a delta, SIOCGIFGATTR returns the counter in it.
/// </summary>
internal static class InterfaceGroupRequest
{
    public const int Size = 40;
    public const int CarpDemotedOffset = 24;

    public static bool TryWrite(Span<byte> destination, string group, int carpDemoted, out string error)
    {
        destination[..Size].Clear();
        if (!InterfaceName.TryWrite(destination, group, out error))
        {
            return false;
        }

        BinaryPrimitives.WriteInt32LittleEndian(destination[CarpDemotedOffset..], carpDemoted);
        return true;
    }

    public static int ReadCarpDemoted(ReadOnlySpan<byte> source) =>
        BinaryPrimitives.ReadInt32LittleEndian(source[CarpDemotedOffset..]);
}
