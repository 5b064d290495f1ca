namespace Sasync.Platform.OpenBSD.Native;

/// <summary>
/// An interface ioctl the way OpenBSD tools make one: on a throw-away AF_INET datagram socket,
/// closed again whatever happens.
/// </summary>
internal static class InterfaceIoctl
{
    /// <summary>Runs <paramref name="call"/> on a fresh socket; a failure is a <see cref="SystemCallException"/> naming <paramref name="subject"/>.</summary>
    public static void Run(INativeCalls native, string name, string subject, Func<int, SysResult> call)
    {
        var socket = native.Socket(OpenBsdSocket.AfInet, OpenBsdSocket.SockDgram | OpenBsdSocket.SockCloExec, 0);
        if (socket.IsError)
        {
            throw new SystemCallException("socket", socket.Errno, subject);
        }

        try
        {
            var result = call((int)socket.Value);
            if (result.IsError)
            {
                throw new SystemCallException($"ioctl({name})", result.Errno, subject);
            }
        }
        finally
        {
            native.Close((int)socket.Value);
        }
    }
}
