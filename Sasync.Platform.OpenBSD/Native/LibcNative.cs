using System.Runtime.InteropServices;

namespace Sasync.Platform.OpenBSD.Native;

/// <summary>
/// <see cref="INativeCalls"/> straight into libc through source-generated imports. It compiles and
/// loads everywhere; most entry points are only called on OpenBSD (sysctl does not even exist in
/// current glibc). getpid, geteuid, open/read/write/close/fstat/stat, poll and syslog are also
/// used on Linux by the FIFO control, the config-file inspector and the syslog logger.
/// </summary>
internal sealed partial class LibcNative : INativeCalls
{
    public static readonly LibcNative Instance = new();

    private static readonly object SyslogGate = new();
    private static nint syslogIdent;

    private LibcNative() { }

    public SysResult Socket(int domain, int type, int protocol) => Result(socket(domain, type, protocol));

    public SysResult Close(int fd) => Result(close(fd));

    public unsafe SysResult Read(int fd, Memory<byte> buffer)
    {
        using var pin = buffer.Pin();
        return Result(read(fd, (byte*)pin.Pointer, (nuint)buffer.Length));
    }

    public unsafe SysResult Receive(int fd, Memory<byte> buffer, int flags)
    {
        using var pin = buffer.Pin();
        return Result(recv(fd, (byte*)pin.Pointer, (nuint)buffer.Length, flags));
    }

    public unsafe SysResult Write(int fd, ReadOnlyMemory<byte> buffer)
    {
        using var pin = buffer.Pin();
        return Result(write(fd, (byte*)pin.Pointer, (nuint)buffer.Length));
    }

    public unsafe SysResult Poll(int fd, short events, int timeoutMilliseconds)
    {
        var entry = new PollFd { Fd = fd, Events = events };
        return Result(poll(&entry, 1, timeoutMilliseconds));
    }

    public unsafe SysResult SetSocketOption(int fd, int level, int option, ReadOnlyMemory<byte> value)
    {
        using var pin = value.Pin();
        return Result(setsockopt(fd, level, option, (byte*)pin.Pointer, (uint)value.Length));
    }

    public unsafe SysResult Ioctl(int fd, ulong request, Memory<byte> argument)
    {
        using var pin = argument.Pin();
        return Result(ioctl(fd, (nuint)request, (byte*)pin.Pointer));
    }

    public unsafe SysResult IoctlWithBuffer(int fd, ulong request, Memory<byte> argument, int pointerOffset, Memory<byte> buffer)
    {
        using var argumentPin = argument.Pin();
        using var bufferPin = buffer.Pin();
        var pointerSlot = argument.Span.Slice(pointerOffset, IntPtr.Size);
        MemoryMarshal.Write(pointerSlot, (nint)bufferPin.Pointer);
        try
        {
            return Result(ioctl(fd, (nuint)request, (byte*)argumentPin.Pointer));
        }
        finally
        {
            pointerSlot.Clear(); // the address is meaningless once unpinned
        }
    }

    public unsafe SysResult Sysctl(ReadOnlyMemory<int> name, Memory<byte> buffer)
    {
        using var namePin = name.Pin();
        using var bufferPin = buffer.Pin();
        var length = (nuint)buffer.Length;
        var oldp = buffer.IsEmpty ? null : (byte*)bufferPin.Pointer;
        var rc = sysctl((int*)namePin.Pointer, (uint)name.Length, oldp, &length, null, 0);
        return rc < 0 ? SysResult.Fail(Marshal.GetLastPInvokeError()) : SysResult.Ok((long)length);
    }

    public SysResult InterfaceNameToIndex(string name)
    {
        var index = if_nametoindex(name);
        return index == 0 ? SysResult.Fail(Marshal.GetLastPInvokeError()) : SysResult.Ok(index);
    }

    public SysResult Open(string path, int flags) => Result(open(path, flags, 0));

    public unsafe SysResult Stat(string path, Memory<byte> buffer)
    {
        using var pin = buffer.Pin();
        return Result(stat(path, (byte*)pin.Pointer));
    }

    public unsafe SysResult FStat(int fd, Memory<byte> buffer)
    {
        using var pin = buffer.Pin();
        return Result(fstat(fd, (byte*)pin.Pointer));
    }

    public int GetPid() => getpid();

    public uint GetEffectiveUserId() => geteuid();

    public void OpenLog(string ident, int option, int facility)
    {
        lock (SyslogGate)
        {
            // openlog keeps the pointer, so the string lives until CloseLog.
            var previous = syslogIdent;
            syslogIdent = Marshal.StringToCoTaskMemUTF8(ident);
            openlog(syslogIdent, option, facility);
            if (previous != 0)
            {
                Marshal.FreeCoTaskMem(previous);
            }
        }
    }

    public void Syslog(int priority, string message) => syslog(priority, "%s", message);

    public void CloseLog()
    {
        lock (SyslogGate)
        {
            closelog();
            if (syslogIdent != 0)
            {
                Marshal.FreeCoTaskMem(syslogIdent);
                syslogIdent = 0;
            }
        }
    }

    private static SysResult Result(long rc) => rc < 0 ? SysResult.Fail(Marshal.GetLastPInvokeError()) : SysResult.Ok(rc);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    private const string Libc = "libc";

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    private static unsafe partial nint read(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, SetLastError = true)]
    private static unsafe partial nint recv(int fd, byte* buffer, nuint count, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    private static unsafe partial nint write(int fd, byte* buffer, nuint count);

    // nfds_t is unsigned int on OpenBSD and unsigned long on Linux; a 64-bit argument serves both.
    [LibraryImport(Libc, SetLastError = true)]
    private static unsafe partial int poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport(Libc, SetLastError = true)]
    private static unsafe partial int setsockopt(int fd, int level, int option, byte* value, uint length);

    [LibraryImport(Libc, SetLastError = true)]
    private static unsafe partial int ioctl(int fd, nuint request, byte* argument);

    [LibraryImport(Libc, SetLastError = true)]
    private static unsafe partial int sysctl(int* name, uint nameLength, byte* oldp, nuint* oldLength, byte* newp, nuint newLength);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat(string path, byte* buffer);

    [LibraryImport(Libc, SetLastError = true)]
    private static unsafe partial int fstat(int fd, byte* buffer);

    [LibraryImport(Libc)]
    private static partial int getpid();

    [LibraryImport(Libc)]
    private static partial uint geteuid();

    [LibraryImport(Libc)]
    private static partial void openlog(nint ident, int option, int facility);

    // Always "%s" as the format, so a message can never be read as a format string.
    [LibraryImport(Libc, StringMarshalling = StringMarshalling.Utf8)]
    private static partial void syslog(int priority, string format, string message);

    [LibraryImport(Libc)]
    private static partial void closelog();
}
