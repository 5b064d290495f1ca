using System.Buffers.Binary;

namespace Sasync.Platform.OpenBSD.Structs;

/// <summary>
/// <c>struct imsg_hdr</c> (lib/libutil/imsg.h 1.24): type, len, peerid, pid as u32 in host order
/// (16 bytes). The older {u16 len; u16 flags} layout gives the same bytes for a message without a
/// file descriptor, which is all sasyncd sends.
/// </summary>
internal readonly record struct ImsgHeader(uint Type, uint Length, uint PeerId, uint Pid)
{
    public const int Size = 16;

    /// <summary>IMSG_CTL_ACTIVE and IMSG_CTL_PASSIVE of iked's enum imsg_type (types.h 1.4 to 1.55).</summary>
    public const uint CtlActive = 9;
    public const uint CtlPassive = 10;

    /// <summary>The bare request sasyncd sends to iked: no payload, peer id 0.</summary>
    public static ImsgHeader ForMode(bool active, uint pid) => new(active ? CtlActive : CtlPassive, Size, 0, pid);

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Type);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], PeerId);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Pid);
    }

    public static bool TryRead(ReadOnlySpan<byte> source, out ImsgHeader header)
    {
        if (source.Length < Size)
        {
            header = default;
            return false;
        }

        header = new ImsgHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(source),
            BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[12..]));
        return true;
    }
}
