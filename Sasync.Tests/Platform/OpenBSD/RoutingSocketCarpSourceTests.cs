using NSubstitute;
using Sasync.Core.Platform;
using Sasync.Platform.OpenBSD.Carp;
using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Tests.Platform.OpenBSD;

public class RoutingSocketCarpSourceTests
{
    private const int IoctlFd = 5;
    private const int RouteFd = 9;
    private const ushort CarpIndex = 7;

    private static INativeCalls Native()
    {
        var native = Substitute.For<INativeCalls>();
        native.Socket(OpenBsdSocket.AfInet, OpenBsdSocket.SockDgram | OpenBsdSocket.SockCloExec, 0).Returns(SysResult.Ok(IoctlFd));
        native.Socket(OpenBsdSocket.AfRoute, OpenBsdSocket.SockRaw | OpenBsdSocket.SockNonBlock | OpenBsdSocket.SockCloExec, 0).Returns(SysResult.Ok(RouteFd));
        native.InterfaceNameToIndex("carp0").Returns(SysResult.Ok(CarpIndex));
        return native;
    }

    /// <summary>
    /// Makes SIOCGIFDATA answer these link states, one per call (the last one again after that), and
    /// records, for each call, how many routing-socket reads had happened before it.
    /// </summary>
    private static List<int> ScriptLinkStates(INativeCalls native, params byte[] states)
    {
        var readsBefore = new List<int>();
        var calls = 0;
        native.IoctlWithBuffer(IoctlFd, 0xC020691BUL, Arg.Any<Memory<byte>>(), 16, Arg.Any<Memory<byte>>()).Returns(call =>
        {
            readsBefore.Add(native.ReceivedCalls().Count(c => c.GetMethodInfo().Name == nameof(INativeCalls.Read)));
            call.ArgAt<Memory<byte>>(4).Span[3] = states[Math.Min(calls++, states.Length - 1)];
            return SysResult.Ok(0);
        });
        return readsBefore;
    }

    /// <summary>Every state the watch yields until it ends (end of file or cancellation).</summary>
    private static async Task<List<LinkState>> WatchAllAsync(INativeCalls native, CancellationToken cancellationToken)
    {
        var states = new List<LinkState>();
        await foreach (var state in new RoutingSocketCarpSource(native).WatchAsync("carp0", cancellationToken))
        {
            states.Add(state);
        }

        return states;
    }

    [Fact]
    public async Task Initial_state_comes_from_siocgifdata_link_state()
    {
        var native = Native();
        byte[]? request = null;
        native.IoctlWithBuffer(IoctlFd, 0xC020691BUL, Arg.Any<Memory<byte>>(), 16, Arg.Any<Memory<byte>>()).Returns(call =>
        {
            request = call.ArgAt<Memory<byte>>(2).ToArray();
            var ifData = call.ArgAt<Memory<byte>>(4);
            Assert.Equal(144, ifData.Length);
            ifData.Span[3] = 4; // LINK_STATE_UP
            return SysResult.Ok(0);
        });

        var state = await new RoutingSocketCarpSource(native).ReadAsync("carp0", CancellationToken.None);

        Assert.Equal(LinkState.Up, state);
        Assert.Equal(Convert.FromHexString("6361727030" + new string('0', 54)), request);
        native.Received(1).Close(IoctlFd);
    }

    [Fact]
    public async Task A_failing_siocgifdata_is_reported_with_its_errno_and_the_socket_closed()
    {
        var native = Native();
        native.IoctlWithBuffer(IoctlFd, Arg.Any<ulong>(), Arg.Any<Memory<byte>>(), Arg.Any<int>(), Arg.Any<Memory<byte>>())
            .Returns(SysResult.Fail(OpenBsdErrno.ENXIO));

        var e = await Assert.ThrowsAsync<SystemCallException>(() => new RoutingSocketCarpSource(native).ReadAsync("carp0", CancellationToken.None).AsTask());

        Assert.Equal(OpenBsdErrno.ENXIO, e.Errno);
        Assert.Contains("carp0", e.Message, StringComparison.Ordinal);
        native.Received(1).Close(IoctlFd);
    }

    [Fact]
    public async Task An_interface_name_longer_than_ifnamsiz_is_refused_before_any_call()
    {
        var native = Native();
        await Assert.ThrowsAsync<ArgumentException>(() => new RoutingSocketCarpSource(native).ReadAsync("carp0123456789abcdef", CancellationToken.None).AsTask());
        native.DidNotReceive().Socket(Arg.Any<int>(), Arg.Any<int>(), Arg.Any<int>());
    }

    [Fact]
    public async Task Watch_filters_to_rtm_ifinfo_and_yields_changes_of_our_interface_only()
    {
        var native = Native();
        byte[]? filter = null;
        native.SetSocketOption(RouteFd, 17, 1, Arg.Any<ReadOnlyMemory<byte>>()).Returns(call =>
        {
            filter = call.ArgAt<ReadOnlyMemory<byte>>(3).ToArray();
            return SysResult.Ok(0);
        });
        ScriptLinkStates(native, 1); // INVALID at start
        new ScriptedRecords(native, RouteFd)
            .Record(StructLayoutTests.IfInfo(index: 3, linkState: 4))            // another interface
            .Record(StructLayoutTests.IfInfo(CarpIndex, 4, version: 4))         // old RTM_VERSION
            .Record(StructLayoutTests.IfInfo(CarpIndex, 4, type: 12))           // RTM_NEWADDR
            .Record(new byte[40])                                               // too short
            .Error(OpenBsdErrno.EINTR)
            .Record(StructLayoutTests.IfInfo(CarpIndex, 2))                     // DOWN
            .Record(StructLayoutTests.IfInfo(CarpIndex, 2))                     // flags change only
            .Error(OpenBsdErrno.EAGAIN)
            .Record(StructLayoutTests.IfInfo(CarpIndex, 6));                    // FULL_DUPLEX

        var states = await WatchAllAsync(native, CancellationToken.None);

        Assert.Equal([LinkState.Invalid, LinkState.Down, LinkState.FullDuplex], states);
        Assert.Equal(new byte[] { 0x00, 0x40, 0x01, 0x00 }, filter); // RTM_IFINFO and RTM_DESYNC
        native.Received(1).Close(RouteFd);
    }

    [Fact]
    public async Task A_refused_message_filter_is_not_fatal()
    {
        var native = Native();
        native.SetSocketOption(RouteFd, Arg.Any<int>(), Arg.Any<int>(), Arg.Any<ReadOnlyMemory<byte>>()).Returns(SysResult.Fail(OpenBsdErrno.EINVAL));
        ScriptLinkStates(native, 2);
        new ScriptedRecords(native, RouteFd).Record(StructLayoutTests.IfInfo(CarpIndex, 1));

        var states = await WatchAllAsync(native, CancellationToken.None);

        Assert.Equal([LinkState.Down, LinkState.Invalid], states);
    }

    [Fact]
    public async Task Messages_are_ignored_while_the_interface_does_not_exist()
    {
        var native = Native();
        native.InterfaceNameToIndex("carp0").Returns(SysResult.Fail(OpenBsdErrno.ENXIO), SysResult.Ok(CarpIndex));
        ScriptLinkStates(native, 1);
        new ScriptedRecords(native, RouteFd)
            .Record(StructLayoutTests.IfInfo(CarpIndex, 4))
            .Record(StructLayoutTests.IfInfo(CarpIndex, 2));

        var states = await WatchAllAsync(native, CancellationToken.None);

        Assert.Equal([LinkState.Invalid, LinkState.Down], states);
    }

    [Fact]
    public async Task Watch_stops_when_cancelled_while_waiting_and_closes_the_socket()
    {
        var native = Native();
        native.Read(RouteFd, Arg.Any<Memory<byte>>()).Returns(SysResult.Fail(OpenBsdErrno.EAGAIN));
        using var cancel = new CancellationTokenSource();
        native.Poll(RouteFd, Arg.Any<short>(), Arg.Any<int>()).Returns(_ =>
        {
            cancel.Cancel(); // the cancellation arrives while we wait for the socket
            return SysResult.Ok(0);
        });

        ScriptLinkStates(native, 2);

        var states = await WatchAllAsync(native, cancel.Token);

        Assert.Equal([LinkState.Down], states); // the state at start, then nothing until cancelled
        native.Received(1).Close(RouteFd);
    }

    [Fact]
    public async Task The_state_is_read_only_after_the_socket_is_open_and_filtered_so_a_change_in_between_is_reported()
    {
        var native = Native();
        var order = new List<string>();
        native.Socket(OpenBsdSocket.AfRoute, OpenBsdSocket.SockRaw | OpenBsdSocket.SockNonBlock | OpenBsdSocket.SockCloExec, 0).Returns(_ =>
        {
            order.Add("socket");
            return SysResult.Ok(RouteFd);
        });
        native.SetSocketOption(RouteFd, 17, 1, Arg.Any<ReadOnlyMemory<byte>>()).Returns(_ =>
        {
            order.Add("filter");
            return SysResult.Ok(0);
        });
        native.When(n => n.IoctlWithBuffer(IoctlFd, Arg.Any<ulong>(), Arg.Any<Memory<byte>>(), Arg.Any<int>(), Arg.Any<Memory<byte>>()))
            .Do(_ => order.Add("SIOCGIFDATA"));
        ScriptLinkStates(native, 2); // BACKUP when read...
        new ScriptedRecords(native, RouteFd)
            .Record(StructLayoutTests.IfInfo(CarpIndex, 4)); // ...and MASTER right after: queued on the open socket

        var states = await WatchAllAsync(native, CancellationToken.None);

        Assert.Equal(["socket", "filter", "SIOCGIFDATA"], order);
        Assert.Equal([LinkState.Down, LinkState.Up], states);
    }

    [Fact]
    public async Task Rtm_desync_makes_the_watch_read_the_state_again_and_report_a_change()
    {
        var native = Native();
        var readsBefore = ScriptLinkStates(native, 2, 4, 4); // BACKUP at start; MASTER when read again
        new ScriptedRecords(native, RouteFd)
            .Record(Desync())                               // the RTM_IFINFO to MASTER was lost
            .Record(Desync())                               // lost again, but nothing changed: not reported twice
            .Record(StructLayoutTests.IfInfo(CarpIndex, 2));

        var states = await WatchAllAsync(native, CancellationToken.None);

        Assert.Equal([LinkState.Down, LinkState.Up, LinkState.Down], states);
        Assert.Equal([0, 1, 2], readsBefore); // at start, then after each RTM_DESYNC
    }

    [Fact]
    public async Task A_failing_reread_after_rtm_desync_is_not_fatal()
    {
        var native = Native();
        var calls = 0;
        native.IoctlWithBuffer(IoctlFd, Arg.Any<ulong>(), Arg.Any<Memory<byte>>(), Arg.Any<int>(), Arg.Any<Memory<byte>>()).Returns(call =>
        {
            if (calls++ > 0)
            {
                return SysResult.Fail(OpenBsdErrno.ENXIO);
            }

            call.ArgAt<Memory<byte>>(4).Span[3] = 2;
            return SysResult.Ok(0);
        });
        new ScriptedRecords(native, RouteFd)
            .Record(Desync())
            .Record(StructLayoutTests.IfInfo(CarpIndex, 4));

        var states = await WatchAllAsync(native, CancellationToken.None);

        Assert.Equal([LinkState.Down, LinkState.Up], states);
    }

    /// <summary>An RTM_DESYNC: a bare rt_msghdr of type 0x10.</summary>
    private static byte[] Desync()
    {
        var bytes = new byte[96];
        bytes[0] = 96;
        bytes[2] = 5;    // RTM_VERSION
        bytes[3] = 0x10; // RTM_DESYNC
        return bytes;
    }
}
