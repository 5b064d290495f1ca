namespace Sasync.Platform.OpenBSD.Native;

/// <summary>Socket numbers of OpenBSD amd64 (sys/sys/socket.h 1.108, sys/net/route.h 1.218; see OPENBSD-ABI.md §0, §2).</summary>
internal static class OpenBsdSocket
{
    public const int AfInet = 2;
    public const int AfRoute = 17;
    public const int AfKey = 30;
    public const int SockDgram = 2;
    public const int SockRaw = 3;
    public const int SockNonBlock = 0x4000;
    public const int SockCloExec = 0x8000;
    public const int PfKeyV2 = 2;
    public const int MsgPeek = 0x2;

    /// <summary>setsockopt level of a routing socket is its family, AF_ROUTE.</summary>
    public const int RouteOptionLevel = AfRoute;
    public const int RouteMessageFilter = 1;
}

/// <summary>poll(2) events; the same on OpenBSD and Linux.</summary>
internal static class PollEvents
{
    public const short In = 0x1;
    public const short Out = 0x4;
}

/// <summary>syslog(3) options, facilities and priorities; the same on OpenBSD and Linux.</summary>
internal static class SyslogConstants
{
    public const int LogPid = 0x01;
    public const int LogNDelay = 0x08;
    public const int LogDaemon = 3 << 3;
    public const int LogCrit = 2;
    public const int LogErr = 3;
    public const int LogWarning = 4;
    public const int LogNotice = 5;
    public const int LogInfo = 6;
    public const int LogDebug = 7;
}
