using Sasync.Core.PfKey;

namespace Sasync.Platform.OpenBSD.PfKey;

/// <summary>
/// The bare SADB_X_PROMISC request: a 16-byte sadb_msg with length 2; satype 1 turns promiscuous
/// mode on for the socket, satype 0 turns it off (pfkeyv2.c; OPENBSD-ABI.md §1.7).
/// </summary>
internal static class PromiscuousRequest
{
    public static byte[] Encode(bool enabled, uint sequence, uint pid)
    {
        var bytes = new byte[SadbHeader.Size];
        new SadbHeader(
            SadbHeader.Version2,
            SadbMessageType.XPromisc,
            Errno: 0,
            SaType: enabled ? SadbSaType.Ah : SadbSaType.Unspec,
            Length: SadbHeader.Size / 8,
            Reserved: 0,
            Sequence: sequence,
            Pid: pid).WriteTo(bytes);
        return bytes;
    }
}
