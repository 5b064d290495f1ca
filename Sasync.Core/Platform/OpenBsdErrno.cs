namespace Sasync.Core.Platform;

/// <summary>
/// errno numbers of OpenBSD's sys/errno.h, as its kernel answers (and as the simulated kernel
/// answers). Linux numbers some differently (EAGAIN is 11 there), which matters only to native code.
/// </summary>
public static class OpenBsdErrno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int ENXIO = 6;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int EINVAL = 22;

    /// <summary>EAGAIN/EWOULDBLOCK: 35 on OpenBSD, 11 on Linux.</summary>
    public const int EAGAIN = 35;
    public const int EMSGSIZE = 40;
    public const int EOPNOTSUPP = 45;
    public const int ENOBUFS = 55;
    public const int ECONNREFUSED = 61;
}
