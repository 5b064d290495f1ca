using System.Buffers.Binary;
using NSubstitute;
using Sasync.Platform.OpenBSD.Carp;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Core.Platform;

namespace Sasync.Tests.Platform.OpenBSD;

public class GroupCarpDemoterTests
{
    private const int Fd = 4;
    private const ulong Get = 0xC028698B;
    private const ulong Set = 0x8028698C;

    private readonly INativeCalls native = Substitute.For<INativeCalls>();
    private readonly List<int> deltas = [];
    private int counter;

    public GroupCarpDemoterTests()
    {
        native.Socket(OpenBsdSocket.AfInet, OpenBsdSocket.SockDgram | OpenBsdSocket.SockCloExec, 0).Returns(SysResult.Ok(Fd));
        native.Ioctl(Fd, Get, Arg.Any<Memory<byte>>()).Returns(call =>
        {
            BinaryPrimitives.WriteInt32LittleEndian(call.ArgAt<Memory<byte>>(2).Span[24..], counter);
            return SysResult.Ok(0);
        });
        native.Ioctl(Fd, Set, Arg.Any<Memory<byte>>()).Returns(call =>
        {
            var request = call.ArgAt<Memory<byte>>(2).Span;
            Assert.Equal("carp"u8.ToArray(), request[..4].ToArray());
            Assert.Equal(0, request[4]);
            var delta = BinaryPrimitives.ReadInt32LittleEndian(request[24..]);
            deltas.Add(delta);
            counter += delta;
            return SysResult.Ok(0);
        });
    }

    [Fact]
    public async Task Read_returns_the_group_counter_from_siocgifgattr()
    {
        counter = 3;
        Assert.Equal(3, await new GroupCarpDemoter(native).ReadAsync("carp", CancellationToken.None));
        native.Received(1).Close(Fd);
    }

    [Fact]
    public async Task Adjust_sends_the_delta_and_our_share_never_goes_below_zero()
    {
        await using var demoter = new GroupCarpDemoter(native);

        await demoter.AdjustAsync("carp", 1, CancellationToken.None);
        await demoter.AdjustAsync("carp", -1, CancellationToken.None);
        await demoter.AdjustAsync("carp", -1, CancellationToken.None); // nothing of ours left to undo

        Assert.Equal([1, -1], deltas);
        Assert.Equal(0, demoter.HeldOn("carp"));
        Assert.Equal(0, counter);
    }

    [Fact]
    public async Task Start_holds_the_group_only_when_it_is_already_demoted()
    {
        await using var demoter = new GroupCarpDemoter(native);

        Assert.False(await demoter.HoldIfDemotedAsync("carp", CancellationToken.None));
        Assert.Empty(deltas);

        counter = 1; // the boot sequence demoted carp
        Assert.True(await demoter.HoldIfDemotedAsync("carp", CancellationToken.None));
        Assert.Equal([1], deltas);
        Assert.Equal(2, counter);
    }

    [Fact]
    public async Task Dispose_gives_back_what_we_still_hold()
    {
        var demoter = new GroupCarpDemoter(native);
        await demoter.AdjustAsync("carp", 1, CancellationToken.None);
        await demoter.AdjustAsync("carp", 1, CancellationToken.None);

        await demoter.DisposeAsync();

        Assert.Equal([1, 1, -2], deltas);
        Assert.Equal(0, counter);
    }

    [Fact]
    public async Task A_refused_adjustment_is_reported_and_not_counted()
    {
        native.Ioctl(Fd, Set, Arg.Any<Memory<byte>>()).Returns(SysResult.Fail(OpenBsdErrno.EINVAL));
        await using var demoter = new GroupCarpDemoter(native);

        var e = await Assert.ThrowsAsync<SystemCallException>(() => demoter.AdjustAsync("carp", 1, CancellationToken.None).AsTask());

        Assert.Equal(OpenBsdErrno.EINVAL, e.Errno);
        Assert.Equal(0, demoter.HeldOn("carp"));
        native.Received(1).Close(Fd);
    }

    [Fact]
    public async Task An_unknown_group_is_reported()
    {
        native.Ioctl(Fd, Get, Arg.Any<Memory<byte>>()).Returns(SysResult.Fail(OpenBsdErrno.ENOENT));
        var e = await Assert.ThrowsAsync<SystemCallException>(() => new GroupCarpDemoter(native).ReadAsync("nogroup", CancellationToken.None).AsTask());
        Assert.Equal(OpenBsdErrno.ENOENT, e.Errno);
        Assert.Contains("nogroup", e.Message, StringComparison.Ordinal);
    }
}
