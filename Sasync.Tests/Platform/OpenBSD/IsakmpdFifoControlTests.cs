using NSubstitute;
using Sasync.Platform.OpenBSD.Control;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Platform.OpenBSD.Structs;
using Sasync.Core.Platform;

namespace Sasync.Tests.Platform.OpenBSD;

/// <summary>The FIFO control's logic with a substituted native layer, using the OpenBSD numbers.</summary>
public class IsakmpdFifoControlTests
{
    private const int Fd = 11;
    private const string Path = "/var/run/isakmpd.fifo";

    private readonly INativeCalls native = Substitute.For<INativeCalls>();
    private readonly List<string> written = [];

    public IsakmpdFifoControlTests()
    {
        native.Open(Path, Arg.Any<int>()).Returns(SysResult.Ok(Fd));
        StatAs(0x1180); // S_IFIFO | 0600
        native.Write(Fd, Arg.Any<ReadOnlyMemory<byte>>()).Returns(call =>
        {
            var bytes = call.ArgAt<ReadOnlyMemory<byte>>(1);
            written.Add(System.Text.Encoding.ASCII.GetString(bytes.Span));
            return SysResult.Ok(bytes.Length);
        });
    }

    private IsakmpdFifoControl Control() => new(Path, native, OpenFlags.OpenBsd, StatLayout.OpenBsdAmd64);

    private void StatAs(uint mode) => native.FStat(Fd, Arg.Any<Memory<byte>>()).Returns(call =>
    {
        var buffer = call.ArgAt<Memory<byte>>(1);
        Assert.Equal(128, buffer.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(buffer.Span, mode);
        return SysResult.Ok(0);
    });

    [Fact]
    public async Task Active_and_passive_write_the_isakmpd_mode_commands()
    {
        await Control().SetActiveAsync(true, CancellationToken.None);
        await Control().SetActiveAsync(false, CancellationToken.None);

        Assert.Equal(["M active\n", "M passive\n"], written);
        native.Received(2).Close(Fd);
    }

    [Fact]
    public async Task The_fifo_is_opened_write_only_non_blocking_with_the_kernels_own_flag_values()
    {
        await Control().SetActiveAsync(true, CancellationToken.None);
        native.Received(1).Open(Path, 0x1 | 0x4 | 0x10000);

        await new IsakmpdFifoControl(Path, native, OpenFlags.Linux, StatLayout.OpenBsdAmd64).SetActiveAsync(true, CancellationToken.None);
        native.Received(1).Open(Path, 0x1 | 0x800 | 0x80000);
    }

    [Fact]
    public async Task No_reader_fails_at_once_with_enxio()
    {
        native.Open(Path, Arg.Any<int>()).Returns(SysResult.Fail(OpenBsdErrno.ENXIO));

        var e = await Assert.ThrowsAsync<DaemonControlException>(() => Control().SetActiveAsync(true, CancellationToken.None).AsTask());

        Assert.Equal(OpenBsdErrno.ENXIO, e.Errno);
        Assert.Contains("not running", e.Message, StringComparison.Ordinal);
        Assert.Empty(written);
    }

    [Fact]
    public async Task A_path_that_is_not_a_fifo_is_never_written()
    {
        StatAs(0x8180); // a regular file

        var e = await Assert.ThrowsAsync<DaemonControlException>(() => Control().SetActiveAsync(false, CancellationToken.None).AsTask());

        Assert.Contains("not a FIFO", e.Message, StringComparison.Ordinal);
        Assert.Empty(written);
        native.Received(1).Close(Fd);
    }

    [Fact]
    public async Task An_interrupted_write_is_retried()
    {
        var calls = 0;
        native.Write(Fd, Arg.Any<ReadOnlyMemory<byte>>()).Returns(call => ++calls == 1
            ? SysResult.Fail(OpenBsdErrno.EINTR)
            : SysResult.Ok(call.ArgAt<ReadOnlyMemory<byte>>(1).Length));

        await Control().SetActiveAsync(true, CancellationToken.None);

        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_full_fifo_or_a_short_write_is_reported()
    {
        native.Write(Fd, Arg.Any<ReadOnlyMemory<byte>>()).Returns(SysResult.Fail(OpenBsdErrno.EAGAIN), SysResult.Ok(3));

        var full = await Assert.ThrowsAsync<DaemonControlException>(() => Control().SetActiveAsync(true, CancellationToken.None).AsTask());
        var cut = await Assert.ThrowsAsync<DaemonControlException>(() => Control().SetActiveAsync(true, CancellationToken.None).AsTask());

        Assert.Equal(OpenBsdErrno.EAGAIN, full.Errno);
        Assert.Contains("3 of 9", cut.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_system_is_refused_at_construction() =>
        Assert.Throws<PlatformNotSupportedException>(() => new IsakmpdFifoControl(Path, native, null, StatLayout.OpenBsdAmd64));
}
