namespace Sasync.Core.Platform;

/// <summary>
/// errno numbers of OpenBSD's sys/errno.h, as its kernel answers (and as the simulated kernel
/// answers). Linux numbers some differently (EAGAIN is 11 there), which matters only to native code.
/// </summary>
public static class OpenBsdErrno
{
    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;

    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;

    /// <summary>No such process; PF_KEY answers it for an SA or flow that does not exist.</summary>
    public const int ESRCH = 3;

    /// <summary>Interrupted system call.</summary>
    public const int EINTR = 4;

    /// <summary>Device not configured (e.g. no such interface).</summary>
    public const int ENXIO = 6;

    /// <summary>Cannot allocate memory.</summary>
    public const int ENOMEM = 12;

    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;

    /// <summary>File exists; PF_KEY answers it for an ADD of an SA that already exists.</summary>
    public const int EEXIST = 17;

    /// <summary>Invalid argument; PF_KEY answers it for a malformed message.</summary>
    public const int EINVAL = 22;

    /// <summary>EAGAIN/EWOULDBLOCK: 35 on OpenBSD, 11 on Linux.</summary>
    public const int EAGAIN = 35;

    /// <summary>Message too long.</summary>
    public const int EMSGSIZE = 40;

    /// <summary>Operation not supported.</summary>
    public const int EOPNOTSUPP = 45;

    /// <summary>No buffer space available.</summary>
    public const int ENOBUFS = 55;

    /// <summary>Connection refused (e.g. nobody listens on a UNIX socket).</summary>
    public const int ECONNREFUSED = 61;
}
