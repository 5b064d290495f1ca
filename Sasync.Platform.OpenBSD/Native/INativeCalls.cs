namespace Sasync.Platform.OpenBSD.Native;

/// <summary>
/// The system calls the OpenBSD platform makes, one method per call and nothing more, so that all
/// the logic above them runs on plain byte buffers and is tested with a substitute on any OS.
/// Buffers are <see cref="Memory{T}"/> rather than spans so a substitute can record and fill them.
/// </summary>
internal interface INativeCalls
{
    SysResult Socket(int domain, int type, int protocol);

    SysResult Close(int fd);

    /// <summary>read(2); Value is the byte count (0 = end of file).</summary>
    SysResult Read(int fd, Memory<byte> buffer);

    /// <summary>recv(2) with <paramref name="flags"/> (MSG_PEEK to look at a record without taking it).</summary>
    SysResult Receive(int fd, Memory<byte> buffer, int flags);

    /// <summary>write(2); Value is the byte count written.</summary>
    SysResult Write(int fd, ReadOnlyMemory<byte> buffer);

    /// <summary>poll(2) on one descriptor; Value is the number of ready descriptors (0 on timeout).</summary>
    SysResult Poll(int fd, short events, int timeoutMilliseconds);

    SysResult SetSocketOption(int fd, int level, int option, ReadOnlyMemory<byte> value);

    /// <summary>ioctl(2) whose argument is the structure in <paramref name="argument"/>.</summary>
    SysResult Ioctl(int fd, ulong request, Memory<byte> argument);

    /// <summary>
    /// ioctl(2) whose structure holds a pointer to a second buffer (ifreq.ifr_data for SIOCGIFDATA):
    /// the address of <paramref name="buffer"/> is stored at <paramref name="pointerOffset"/> of
    /// <paramref name="argument"/> for the duration of the call.
    /// </summary>
    SysResult IoctlWithBuffer(int fd, ulong request, Memory<byte> argument, int pointerOffset, Memory<byte> buffer);

    /// <summary>
    /// sysctl(2) read. An empty <paramref name="buffer"/> passes a NULL oldp and asks for the size
    /// estimate; Value is <c>*oldlenp</c> afterwards.
    /// </summary>
    SysResult Sysctl(ReadOnlyMemory<int> name, Memory<byte> buffer);

    /// <summary>if_nametoindex(3); Value 0 means no such interface.</summary>
    SysResult InterfaceNameToIndex(string name);

    /// <summary>open(2) with the OS's own flag values (see <see cref="OpenFlags"/>).</summary>
    SysResult Open(string path, int flags);

    /// <summary>stat(2) into a buffer laid out as the OS's struct stat (see <see cref="Structs.StatLayout"/>).</summary>
    SysResult Stat(string path, Memory<byte> buffer);

    SysResult FStat(int fd, Memory<byte> buffer);

    int GetPid();

    uint GetEffectiveUserId();

    void OpenLog(string ident, int option, int facility);

    void Syslog(int priority, string message);

    void CloseLog();
}
