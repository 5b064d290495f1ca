namespace Sasync.Platform.OpenBSD.Native;

/// <summary>
/// open(2) flags for the two kernels the FIFO control runs on. O_WRONLY is 1 on both, but
/// O_NONBLOCK is 0x4 on OpenBSD and 0x800 on Linux, and O_CLOEXEC 0x10000 versus 0x80000
/// (OpenBSD sys/sys/fcntl.h; Linux asm-generic/fcntl.h, the x86-64 and arm64 values).
/// </summary>
internal readonly record struct OpenFlags(int WriteOnly, int ReadOnly, int NonBlock, int CloseOnExec)
{
    public static readonly OpenFlags OpenBsd = new(WriteOnly: 0x1, ReadOnly: 0x0, NonBlock: 0x4, CloseOnExec: 0x10000);

    public static readonly OpenFlags Linux = new(WriteOnly: 0x1, ReadOnly: 0x0, NonBlock: 0x800, CloseOnExec: 0x80000);

    /// <summary>The flags of the running kernel, or null when it is neither OpenBSD nor Linux.</summary>
    public static OpenFlags? Current => HostOs.IsOpenBsd ? OpenBsd : HostOs.IsLinux ? Linux : null;

    /// <summary>O_WRONLY|O_NONBLOCK|O_CLOEXEC: never waits for a reader (ENXIO instead).</summary>
    public int WriteOnlyNonBlocking => WriteOnly | NonBlock | CloseOnExec;

    public int ReadOnlyNonBlocking => ReadOnly | NonBlock | CloseOnExec;
}
