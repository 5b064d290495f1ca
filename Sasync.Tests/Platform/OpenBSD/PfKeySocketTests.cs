using NSubstitute;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Platform.OpenBSD.PfKey;

namespace Sasync.Tests.Platform.OpenBSD;

public class PfKeySocketTests
{
    private const int Fd = 7;
    private const int Pid = 4242;
    private const int SocketType = OpenBsdSocket.SockRaw | OpenBsdSocket.SockNonBlock | OpenBsdSocket.SockCloExec;

    private static INativeCalls Native()
    {
        var native = Substitute.For<INativeCalls>();
        native.Socket(30, SocketType, 2).Returns(SysResult.Ok(Fd));
        native.GetPid().Returns(Pid);
        native.Poll(Fd, Arg.Any<short>(), Arg.Any<int>()).Returns(SysResult.Ok(1));
        return native;
    }

    /// <summary>Records every write's bytes; each call returns the next scripted result, then success.</summary>
    private static List<byte[]> RecordWrites(INativeCalls native, params SysResult[] first)
    {
        var written = new List<byte[]>();
        var results = new Queue<SysResult>(first);
        native.Write(Fd, Arg.Any<ReadOnlyMemory<byte>>()).Returns(call =>
        {
            var bytes = call.ArgAt<ReadOnlyMemory<byte>>(1);
            lock (written)
            {
                written.Add(bytes.ToArray());
                return results.TryDequeue(out var result) ? result : SysResult.Ok(bytes.Length);
            }
        });
        return written;
    }

    private static byte[] Message(SadbMessageType type, int totalBytes, byte fill)
    {
        var bytes = new byte[totalBytes];
        bytes.AsSpan(SadbHeader.Size).Fill(fill);
        new SadbHeader(2, type, 0, SadbSaType.Esp, (ushort)(totalBytes / 8), 0, 1, 99).WriteTo(bytes);
        return bytes;
    }

    [Fact]
    public async Task Opens_a_raw_pf_key_v2_socket_and_takes_its_pid_from_getpid()
    {
        var native = Native();
        await using var socket = PfKeySocket.Open(native);
        native.Received(1).Socket(30, SocketType, 2);
        Assert.Equal((uint)Pid, socket.Pid);
    }

    [Fact]
    public void A_refused_socket_says_root_is_needed()
    {
        var native = Substitute.For<INativeCalls>();
        native.Socket(Arg.Any<int>(), Arg.Any<int>(), Arg.Any<int>()).Returns(SysResult.Fail(OpenBsdErrno.EACCES));
        var e = Assert.Throws<KeyEngineException>(() => PfKeySocket.Open(native));
        Assert.Equal(OpenBsdErrno.EACCES, e.Errno);
        Assert.Contains("root", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promiscuous_mode_is_switched_on_and_off_with_satype_1_and_0_and_fresh_sequence_numbers()
    {
        var native = Native();
        var written = RecordWrites(native);
        await using var socket = PfKeySocket.Open(native);

        await socket.SetPromiscuousAsync(true, CancellationToken.None);
        await socket.SetPromiscuousAsync(false, CancellationToken.None);

        Assert.Equal(2, written.Count);
        Assert.Equal(Convert.FromHexString("020b0001" + "02000000" + "01000000" + "92100000"), written[0]);
        Assert.Equal(Convert.FromHexString("020b0000" + "02000000" + "02000000" + "92100000"), written[1]);
    }

    [Fact]
    public async Task Writes_reach_the_kernel_in_order_through_the_queue()
    {
        var native = Native();
        var written = RecordWrites(native);
        await using var socket = PfKeySocket.Open(native);
        var messages = Enumerable.Range(1, 20).Select(i => Message(SadbMessageType.Add, 24, (byte)i)).ToArray();

        // Each WriteAsync queues its message before it returns, so the queue order is the call order.
        var pending = messages.Select(m => socket.WriteAsync(m, CancellationToken.None).AsTask()).ToArray();
        await Task.WhenAll(pending);

        Assert.Equal(messages, written);
    }

    [Fact]
    public async Task A_write_interrupted_or_blocked_is_retried_after_waiting_for_pollout()
    {
        var native = Native();
        var written = RecordWrites(native, SysResult.Fail(OpenBsdErrno.EINTR), SysResult.Fail(OpenBsdErrno.EAGAIN));
        await using var socket = PfKeySocket.Open(native);
        var message = Message(SadbMessageType.Add, 32, 5);

        await socket.WriteAsync(message, CancellationToken.None);

        Assert.Equal(3, written.Count);
        Assert.All(written, w => Assert.Equal(message, w));
        native.Received(1).Poll(Fd, PollEvents.Out, Arg.Any<int>());
    }

    [Fact]
    public async Task A_kernel_refusal_is_reported_with_its_errno_and_the_queue_goes_on()
    {
        var native = Native();
        var written = RecordWrites(native, SysResult.Fail(OpenBsdErrno.EINVAL));
        await using var socket = PfKeySocket.Open(native);

        var refused = await Assert.ThrowsAsync<KeyEngineException>(() => socket.WriteAsync(Message(SadbMessageType.Add, 24, 1), CancellationToken.None).AsTask());
        await socket.WriteAsync(Message(SadbMessageType.Add, 24, 2), CancellationToken.None);

        Assert.Equal(OpenBsdErrno.EINVAL, refused.Errno);
        Assert.Equal(2, written.Count);
    }

    [Fact]
    public async Task A_short_write_is_an_error()
    {
        var native = Native();
        RecordWrites(native, SysResult.Ok(8));
        await using var socket = PfKeySocket.Open(native);
        var e = await Assert.ThrowsAsync<KeyEngineException>(() => socket.WriteAsync(Message(SadbMessageType.Add, 24, 1), CancellationToken.None).AsTask());
        Assert.Contains("8 of 24", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_whole_messages_by_header_length_retrying_eintr_and_eagain_and_dropping_cut_records()
    {
        var native = Native();
        var first = Message(SadbMessageType.Add, 40, 0x11);
        var cut = Message(SadbMessageType.Add, 80, 0x22)[..48]; // header says 80 bytes, the record has 48
        var tiny = new byte[] { 2, 3, 0 };
        var zeroLength = Message(SadbMessageType.Add, 16, 0);
        zeroLength[4] = 0;
        var second = Message(SadbMessageType.XPromisc, 56, 0x33);
        var records = new ScriptedRecords(native, Fd)
            .Error(OpenBsdErrno.EINTR).Error(OpenBsdErrno.EAGAIN).Record(first)
            .Record(cut).Record(tiny).Record(zeroLength)
            .Error(OpenBsdErrno.EAGAIN).Record(second);
        await using var socket = PfKeySocket.Open(native);

        var read = new List<byte[]>();
        await foreach (var message in socket.ReadAllAsync(CancellationToken.None))
        {
            read.Add(message.ToArray());
        }

        Assert.Equal([first, second], read);
        Assert.Equal(0, records.Remaining);
        native.Received().Poll(Fd, PollEvents.In, Arg.Any<int>());
    }

    [Fact]
    public async Task A_read_error_other_than_eintr_or_eagain_ends_reading_with_its_errno()
    {
        var native = Native();
        new ScriptedRecords(native, Fd).Error(OpenBsdErrno.EINVAL);
        await using var socket = PfKeySocket.Open(native);
        var e = await Assert.ThrowsAsync<KeyEngineException>(async () =>
        {
            await foreach (var message in socket.ReadAllAsync(CancellationToken.None))
            {
                Assert.Fail($"unexpected message of {message.Length} bytes");
            }
        });
        Assert.Equal(OpenBsdErrno.EINVAL, e.Errno);
    }

    [Fact]
    public async Task Messages_read_in_one_burst_come_before_a_read_error_behind_them()
    {
        var native = Native();
        var first = Message(SadbMessageType.Add, 40, 0x11);
        var second = Message(SadbMessageType.Delete, 32, 0x12);
        var records = new ScriptedRecords(native, Fd).Record(first).Record(second).Error(OpenBsdErrno.EINVAL);
        await using var socket = PfKeySocket.Open(native);

        var read = new List<byte[]>();
        var e = await Assert.ThrowsAsync<KeyEngineException>(async () =>
        {
            await foreach (var message in socket.ReadAllAsync(CancellationToken.None))
            {
                read.Add(message.ToArray());
            }
        });

        Assert.Equal([first, second], read);
        Assert.Equal(OpenBsdErrno.EINVAL, e.Errno);
        Assert.Equal(0, records.Remaining);
    }

    private static int Operation(ReadOnlyMemory<int> name) => name.Span[3];

    [Fact]
    public async Task Dump_asks_for_the_estimate_doubles_it_and_retries_on_enomem()
    {
        var native = Native();
        var sadbCalls = new List<int>();
        native.Sysctl(Arg.Is<ReadOnlyMemory<int>>(n => Operation(n) == 1), Arg.Any<Memory<byte>>()).Returns(call =>
        {
            var buffer = call.ArgAt<Memory<byte>>(1);
            sadbCalls.Add(buffer.Length);
            return sadbCalls.Count switch
            {
                1 => SysResult.Ok(100),                     // estimate
                2 => SysResult.Fail(OpenBsdErrno.ENOMEM),    // grew meanwhile
                3 => SysResult.Ok(150),                     // new estimate
                _ => Fill(buffer, 120),
            };
        });
        native.Sysctl(Arg.Is<ReadOnlyMemory<int>>(n => Operation(n) == 2), Arg.Any<Memory<byte>>()).Returns(SysResult.Ok(0));
        await using var socket = PfKeySocket.Open(native);

        var dump = await KernelDumpChunks.ToWholeAsync(socket.DumpAsync(CancellationToken.None));

        Assert.Equal([0, 200, 0, 300], sadbCalls);
        Assert.Equal(120, dump.Sadb.Length);
        Assert.All(dump.Sadb.ToArray(), b => Assert.Equal(0x5a, b));
        Assert.True(dump.Spd.IsEmpty);
        native.Received().Sysctl(Arg.Is<ReadOnlyMemory<int>>(n => n.ToArray().SequenceEqual(new[] { 4, 30, 2, 1, 0 })), Arg.Any<Memory<byte>>());
        native.Received().Sysctl(Arg.Is<ReadOnlyMemory<int>>(n => n.ToArray().SequenceEqual(new[] { 4, 30, 2, 2, 0 })), Arg.Any<Memory<byte>>());

        static SysResult Fill(Memory<byte> buffer, int count)
        {
            buffer.Span[..count].Fill(0x5a);
            return SysResult.Ok(count);
        }
    }

    [Fact]
    public async Task Dump_gives_up_when_the_table_keeps_outgrowing_the_buffer()
    {
        var native = Native();
        native.Sysctl(Arg.Any<ReadOnlyMemory<int>>(), Arg.Any<Memory<byte>>())
            .Returns(call => call.ArgAt<Memory<byte>>(1).IsEmpty ? SysResult.Ok(64) : SysResult.Fail(OpenBsdErrno.ENOMEM));
        await using var socket = PfKeySocket.Open(native);

        var e = await Assert.ThrowsAsync<KeyEngineException>(() => KernelDumpChunks.ToWholeAsync(socket.DumpAsync(CancellationToken.None)).AsTask());

        Assert.Equal(OpenBsdErrno.ENOMEM, e.Errno);
        native.Received(2 * SysctlDump.MaxAttempts).Sysctl(Arg.Any<ReadOnlyMemory<int>>(), Arg.Any<Memory<byte>>());
    }

    [Fact]
    public async Task Dump_reports_a_refused_sysctl()
    {
        var native = Native();
        native.Sysctl(Arg.Any<ReadOnlyMemory<int>>(), Arg.Any<Memory<byte>>()).Returns(SysResult.Fail(OpenBsdErrno.EPERM));
        await using var socket = PfKeySocket.Open(native);
        var e = await Assert.ThrowsAsync<KeyEngineException>(() => KernelDumpChunks.ToWholeAsync(socket.DumpAsync(CancellationToken.None)).AsTask());
        Assert.Equal(OpenBsdErrno.EPERM, e.Errno);
    }

    [Fact]
    public async Task Dispose_closes_the_socket_and_later_writes_are_refused()
    {
        var native = Native();
        var socket = PfKeySocket.Open(native);
        await socket.DisposeAsync();
        native.Received(1).Close(Fd);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => socket.WriteAsync(new byte[16], CancellationToken.None).AsTask());
    }
}
