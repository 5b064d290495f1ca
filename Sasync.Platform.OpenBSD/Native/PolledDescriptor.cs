using Sasync.Core.Platform;
namespace Sasync.Platform.OpenBSD.Native;

/// <summary>
/// Blocking-style reads and writes on a non-blocking descriptor: EINTR is retried, EAGAIN waits
/// in poll(2) for a short slice so that cancellation is noticed, any other errno is returned.
/// Callers run these on a thread-pool thread.
/// </summary>
internal sealed class PolledDescriptor(INativeCalls native, int fd, int pollSliceMilliseconds = 200)
{
    public int Fd => fd;

    /// <summary>
    /// read(2) or recv(2) one record; a cancelled wait throws <see cref="OperationCanceledException"/>.
    /// With <paramref name="wait"/> false an empty socket answers EAGAIN instead of being waited for.
    /// </summary>
    public SysResult Read(Memory<byte> buffer, int receiveFlags, CancellationToken cancellationToken, bool wait = true)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = receiveFlags == 0 ? native.Read(fd, buffer) : native.Receive(fd, buffer, receiveFlags);
            if (result.Errno == OpenBsdErrno.EINTR)
            {
                continue;
            }

            if (result.Errno != OpenBsdErrno.EAGAIN || !wait)
            {
                return result;
            }

            WaitFor(PollEvents.In, cancellationToken);
        }
    }

    /// <summary>write(2) one record; Value is the byte count the kernel took.</summary>
    public SysResult Write(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = native.Write(fd, buffer);
            if (result.Errno == OpenBsdErrno.EINTR)
            {
                continue;
            }

            if (result.Errno != OpenBsdErrno.EAGAIN)
            {
                return result;
            }

            WaitFor(PollEvents.Out, cancellationToken);
        }
    }

    private void WaitFor(short events, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ready = native.Poll(fd, events, pollSliceMilliseconds);
            if (ready.IsError && ready.Errno != OpenBsdErrno.EINTR)
            {
                return; // let the next read/write report the real error
            }

            if (ready.Value > 0)
            {
                return;
            }
        }
    }
}
