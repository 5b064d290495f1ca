using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Platform.OpenBSD.Structs;

/// <summary>
/// The sysctl names of the PF_KEY dumps: {CTL_NET 4, PF_KEY 30, PF_KEY_V2 2, op, satype 0 = all}
/// (sys/sys/sysctl.h, sys/sys/socket.h; OPENBSD-ABI.md §1.8).
/// </summary>
internal static class PfKeySysctl
{
    public const int CtlNet = 4;
    public const int SadbDump = 1;
    public const int SpdDump = 2;

    public static int[] Name(int operation) => [CtlNet, OpenBsdSocket.AfKey, OpenBsdSocket.PfKeyV2, operation, 0];
}
