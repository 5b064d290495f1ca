using NSubstitute;
using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Tests.Platform.OpenBSD;

/// <summary>
/// Makes a substituted native layer behave like a record (datagram) socket: each read takes one
/// whole record, cut to the buffer; MSG_PEEK copies without taking; an errno in the script is
/// returned once by the next read or peek; an empty script reads as end of file.
/// </summary>
internal sealed class ScriptedRecords
{
    private readonly Queue<object> script = new();

    public ScriptedRecords(INativeCalls native, int fd)
    {
        native.Read(fd, Arg.Any<Memory<byte>>()).Returns(call => Next(call.ArgAt<Memory<byte>>(1), take: true));
        native.Receive(fd, Arg.Any<Memory<byte>>(), OpenBsdSocket.MsgPeek)
            .Returns(call => Next(call.ArgAt<Memory<byte>>(1), take: false));
        native.Poll(fd, Arg.Any<short>(), Arg.Any<int>()).Returns(SysResult.Ok(1));
    }

    public int Remaining
    {
        get
        {
            lock (script)
            {
                return script.Count;
            }
        }
    }

    public ScriptedRecords Record(byte[] record)
    {
        lock (script)
        {
            script.Enqueue(record);
        }

        return this;
    }

    public ScriptedRecords Error(int errno)
    {
        lock (script)
        {
            script.Enqueue(errno);
        }

        return this;
    }

    private SysResult Next(Memory<byte> buffer, bool take)
    {
        lock (script)
        {
            if (!script.TryPeek(out var next))
            {
                return SysResult.Ok(0);
            }

            if (next is int errno)
            {
                script.Dequeue();
                return SysResult.Fail(errno);
            }

            var record = (byte[])next;
            var count = Math.Min(record.Length, buffer.Length);
            record.AsSpan(0, count).CopyTo(buffer.Span);
            if (take)
            {
                script.Dequeue();
            }

            return SysResult.Ok(count);
        }
    }
}
