namespace Sasync.Core.Simulation;

/// <summary>The errno numbers of OpenBSD's sys/errno.h that the simulated kernel answers with.</summary>
public static class OpenBsdErrno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int ENXIO = 6;
    public const int ENOMEM = 12;
    public const int EEXIST = 17;
    public const int EINVAL = 22;
    public const int EMSGSIZE = 40;
    public const int EOPNOTSUPP = 45;
    public const int ENOBUFS = 55;
    public const int ECONNREFUSED = 61;
}
