using System.Net.Sockets;

namespace Sasync.Platform.OpenBSD.Privsep;

/// <summary>File descriptors handed from the privileged process to the network process.</summary>
internal static class Descriptors
{
    public static void SetCloseOnExec(int fd, bool closeOnExec)
    {
        var flags = PrivsepNative.fcntl(fd, PrivsepNative.FGetFd, 0);
        if (flags < 0 || PrivsepNative.fcntl(fd, PrivsepNative.FSetFd, closeOnExec ? flags | PrivsepNative.FdCloExec : flags & ~PrivsepNative.FdCloExec) < 0)
        {
            throw new IOException($"fcntl on descriptor {fd}: {PrivsepNative.Error()}");
        }
    }

    /// <summary>A socket over a descriptor this process owns from now on (an inherited one, or one of a pair).</summary>
    public static Socket Adopt(int fd)
    {
        // Inherited descriptors must not leak into anything this process might start.
        SetCloseOnExec(fd, true);
        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    /// <summary>close(2) of a raw descriptor.</summary>
    public static void Close(int fd) => PrivsepNative.close(fd);

    public static int Of(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return (int)socket.Handle;
    }
}
