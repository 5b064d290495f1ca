namespace Sasync.Platform.OpenBSD.Native;

/// <summary>
/// The outcome of one system call: its non-negative return value, or the errno it failed with.
/// Returned instead of thrown so that retry rules (EINTR, EAGAIN, ENOMEM) stay plain code.
/// </summary>
internal readonly record struct SysResult(long Value, int Errno)
{
    public bool IsError => Errno != 0;

    public static SysResult Ok(long value) => new(value, 0);

    public static SysResult Fail(int errno) => new(-1, errno);
}
