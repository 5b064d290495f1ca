using System.Runtime.InteropServices;

namespace Sasync.Platform.OpenBSD.Privsep;

/// <summary>
/// The libc calls privilege separation needs, on OpenBSD and on Linux (for tests and the Linux
/// variant). Each returns -1 and sets errno on failure, read with <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static unsafe partial class PrivsepNative
{
    private const string Libc = "libc";

    // The same numbers on OpenBSD and Linux.
    public const int AfUnix = 1;
    public const int SockStream = 1;
    public const int FGetFd = 1;
    public const int FSetFd = 2;
    public const int FdCloExec = 1;

    // Linux prctl(2) options.
    public const int PrSetDumpable = 4;
    public const int PrSetName = 15;
    public const int PrSetNoNewPrivs = 38;

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int socketpair(int domain, int type, int protocol, int* fds);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int fcntl(int fd, int command, int argument);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int setgroups(nint count, uint* groups);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int getgroups(int count, uint* groups);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int setresgid(uint real, uint effective, uint saved);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int setresuid(uint real, uint effective, uint saved);

    [LibraryImport(Libc)]
    public static partial uint getuid();

    [LibraryImport(Libc)]
    public static partial uint geteuid();

    [LibraryImport(Libc)]
    public static partial uint getgid();

    [LibraryImport(Libc)]
    public static partial uint getegid();

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint getpwnam(string name);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint getpwuid(uint uid);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chdir(string path);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    // OpenBSD only.
    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int unveil(string? path, string? permissions);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int pledge(string? promises, string? execpromises);

    // Variadic in C; called with a format that holds no conversion, so no variadic argument is read.
    [LibraryImport(Libc, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void setproctitle(string format);

    public static string Error() => Marshal.GetLastPInvokeErrorMessage();
}
