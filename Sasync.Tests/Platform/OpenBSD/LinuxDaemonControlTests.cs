using System.Diagnostics;
using System.Net.Sockets;
using Sasync.Platform.OpenBSD.Control;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Core.Platform;

namespace Sasync.Tests.Platform.OpenBSD;

/// <summary>
/// The daemon controls against a real FIFO and a real Unix-domain socket (Linux; these are what
/// <c>--platform sim</c> drives). Each test works in its own temporary directory and removes it.
/// </summary>
public sealed class LinuxDaemonControlTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("sasync-ctl-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string MakeFifo()
    {
        var path = Path.Combine(directory, "isakmpd.fifo");
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", ["-m", "600", path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>Opens the FIFO for reading without waiting for a writer, like isakmpd does.</summary>
    private static int OpenReader(string path)
    {
        var reader = LibcNative.Instance.Open(path, OpenFlags.Linux.ReadOnlyNonBlocking);
        Assert.False(reader.IsError, $"open reader: errno {reader.Errno}");
        return (int)reader.Value;
    }

    private static string ReadAvailable(int fd)
    {
        var buffer = new byte[64];
        var read = LibcNative.Instance.Read(fd, buffer);
        Assert.False(read.IsError, $"read: errno {read.Errno}");
        return System.Text.Encoding.ASCII.GetString(buffer, 0, (int)read.Value);
    }

    [LinuxFact]
    public async Task Fifo_receives_active_then_passive()
    {
        var path = MakeFifo();
        var reader = OpenReader(path);
        try
        {
            var control = new IsakmpdFifoControl(path);
            Assert.Equal(0, LibcNative.Instance.Poll(reader, PollEvents.In, 0).Value);
            await control.SetActiveAsync(true, CancellationToken.None);
            Assert.Equal(1, LibcNative.Instance.Poll(reader, PollEvents.In, 0).Value);
            Assert.Equal("M active\n", ReadAvailable(reader));
            await control.SetActiveAsync(false, CancellationToken.None);
            Assert.Equal("M passive\n", ReadAvailable(reader));
        }
        finally
        {
            LibcNative.Instance.Close(reader);
        }
    }

    [LinuxFact]
    public async Task Fifo_without_a_reader_fails_with_enxio_instead_of_waiting()
    {
        var path = MakeFifo();

        var e = await Assert.ThrowsAsync<DaemonControlException>(() => new IsakmpdFifoControl(path).SetActiveAsync(true, CancellationToken.None).AsTask());

        Assert.Equal(OpenBsdErrno.ENXIO, e.Errno); // ENXIO is 6 on Linux too
    }

    [LinuxFact]
    public async Task A_regular_file_in_place_of_the_fifo_is_left_untouched()
    {
        var path = Path.Combine(directory, "isakmpd.fifo");
        await File.WriteAllTextAsync(path, "");

        var e = await Assert.ThrowsAsync<DaemonControlException>(() => new IsakmpdFifoControl(path).SetActiveAsync(true, CancellationToken.None).AsTask());

        Assert.Contains("not a FIFO", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [LinuxFact]
    public async Task A_missing_fifo_is_reported()
    {
        var e = await Assert.ThrowsAsync<DaemonControlException>(() => new IsakmpdFifoControl(Path.Combine(directory, "none")).SetActiveAsync(true, CancellationToken.None).AsTask());
        Assert.Equal(2, e.Errno); // ENOENT, the same number on OpenBSD and Linux
    }

    /// <summary>Accepts one connection and returns everything the client sent before closing.</summary>
    private static async Task<byte[]> ReceiveOneAsync(Socket listener)
    {
        using var connection = await listener.AcceptAsync();
        using var received = new MemoryStream();
        var buffer = new byte[64];
        int count;
        while ((count = await connection.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            received.Write(buffer, 0, count);
        }

        return received.ToArray();
    }

    private Socket Listen(string name)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(directory, name)));
        listener.Listen(4);
        return listener;
    }

    private static byte[] Imsg(uint type) =>
        [(byte)type, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, .. BitConverter.GetBytes((uint)Environment.ProcessId)];

    [Fact]
    public async Task Iked_socket_receives_one_16_byte_ctl_active_then_ctl_passive()
    {
        using var listener = Listen("iked.sock");
        var control = new IkedSocketControl(Path.Combine(directory, "iked.sock"));

        var active = ReceiveOneAsync(listener);
        await control.SetActiveAsync(true, CancellationToken.None);
        Assert.Equal(Imsg(9), await active);

        var passive = ReceiveOneAsync(listener);
        await control.SetActiveAsync(false, CancellationToken.None);
        Assert.Equal(Imsg(10), await passive);
    }

    [Fact]
    public async Task Iked_not_listening_is_reported()
    {
        var e = await Assert.ThrowsAsync<DaemonControlException>(() => new IkedSocketControl(Path.Combine(directory, "iked.sock")).SetActiveAsync(true, CancellationToken.None).AsTask());
        Assert.Contains("iked", e.Message, StringComparison.Ordinal);
        Assert.IsType<SocketException>(e.InnerException);
    }

    [LinuxFact]
    public async Task Control_all_drives_both_and_still_reaches_iked_when_isakmpd_is_down()
    {
        var fifo = MakeFifo();
        using var listener = Listen("iked.sock");
        var control = CompositeDaemonControl.For(Sasync.Core.Config.DaemonControlMode.All, fifo, Path.Combine(directory, "iked.sock"));

        var down = ReceiveOneAsync(listener);
        var e = await Assert.ThrowsAsync<DaemonControlException>(() => control.SetActiveAsync(true, CancellationToken.None).AsTask());
        Assert.Equal(OpenBsdErrno.ENXIO, e.Errno);
        Assert.Equal(Imsg(9), await down);

        var reader = OpenReader(fifo);
        try
        {
            var up = ReceiveOneAsync(listener);
            await control.SetActiveAsync(false, CancellationToken.None);
            Assert.Equal("M passive\n", ReadAvailable(reader));
            Assert.Equal(Imsg(10), await up);
        }
        finally
        {
            LibcNative.Instance.Close(reader);
        }
    }
}
