using System.Net.Sockets;
using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Platform.OpenBSD.Privsep;

/// <summary>
/// socketpair(AF_UNIX, SOCK_STREAM): the channel between the privileged and the network process
/// (and, on the simulated platform, its PF_KEY stream). Both ends are close-on-exec; the end meant
/// for the child is inherited by <see cref="NetworkProcessLauncher"/> only.
/// </summary>
internal static class SocketPair
{
    public static unsafe (Socket Parent, Socket Child) Create()
    {
        var fds = stackalloc int[2];
        if (PrivsepNative.socketpair(PrivsepNative.AfUnix, PrivsepNative.SockStream, 0, fds) < 0)
        {
            throw new IOException($"socketpair: {PrivsepNative.Error()}");
        }

        foreach (var fd in new[] { fds[0], fds[1] })
        {
            Descriptors.SetCloseOnExec(fd, true);
        }

        return (Descriptors.Adopt(fds[0]), Descriptors.Adopt(fds[1]));
    }
}
