using System.Diagnostics;
using System.Net.Sockets;

namespace Sasync.Tests.Config;

/// <summary>FIFOs and sockets at file paths, made with the system's own tools, for the tests of the file-type rule.</summary>
internal static class SpecialFiles
{
    public static async Task MakeFifoAsync(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", ["-m", "600", path]) { UseShellExecute = false })!;
        await mkfifo.WaitForExitAsync();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>A bound Unix socket leaves a socket file at <paramref name="path"/>; the caller disposes it.</summary>
    public static Socket MakeSocketFile(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    /// <summary>
    /// Releases a thread blocked opening <paramref name="path"/> for reading: a FIFO's open returns once a writer
    /// opens it, and the blocked reader counts as the reader our writer's open waits for.
    /// </summary>
    public static async Task ReleaseFifoReaderAsync(string path)
    {
        var open = Task.Run(() => new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1).Dispose());
        try
        {
            await open.WaitAsync(Support.Eventually.Patience);
        }
        catch (TimeoutException)
        {
            // Nobody was blocked after all; the writer's thread stays blocked until the test process ends.
        }
    }
}
