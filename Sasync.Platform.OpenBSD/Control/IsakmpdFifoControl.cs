using System.Text;
using Sasync.Core.Platform;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Platform.OpenBSD.Structs;

namespace Sasync.Platform.OpenBSD.Control;

/// <summary>
/// Switches isakmpd through its command FIFO: <c>M active\n</c> or <c>M passive\n</c>. Unlike the
/// original, the FIFO is opened O_WRONLY|O_NONBLOCK, so when isakmpd is not running (nobody reads)
/// the open fails at once with ENXIO instead of hanging; that failure is reported and the caller
/// retries. The path must be a FIFO (checked with fstat on the open descriptor). Works on OpenBSD
/// and Linux, whose O_NONBLOCK and struct stat differ (see <see cref="OpenFlags"/>, <see cref="StatLayout"/>).
/// </summary>
internal sealed class IsakmpdFifoControl : IDaemonControl
{
    public const string DefaultPath = "/var/run/isakmpd.fifo";

    private static readonly byte[] ActiveCommand = Encoding.ASCII.GetBytes("M active\n");
    private static readonly byte[] PassiveCommand = Encoding.ASCII.GetBytes("M passive\n");

    private readonly INativeCalls native;
    private readonly OpenFlags flags;
    private readonly StatLayout statLayout;

    public IsakmpdFifoControl(string fifoPath = DefaultPath)
        : this(fifoPath, LibcNative.Instance, OpenFlags.Current, StatLayout.Current)
    {
    }

    public IsakmpdFifoControl(string fifoPath, INativeCalls native, OpenFlags? flags, StatLayout? statLayout)
    {
        ArgumentException.ThrowIfNullOrEmpty(fifoPath);
        ArgumentNullException.ThrowIfNull(native);
        if (flags is null || statLayout is null)
        {
            throw new PlatformNotSupportedException("the isakmpd FIFO control runs on OpenBSD amd64 and Linux (x86-64, arm64) only");
        }

        FifoPath = fifoPath;
        this.native = native;
        this.flags = flags.Value;
        this.statLayout = statLayout;
    }

    public string FifoPath { get; }

    public static ReadOnlyMemory<byte> Command(bool active) => active ? ActiveCommand : PassiveCommand;

    public ValueTask SetActiveAsync(bool active, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var opened = native.Open(FifoPath, flags.WriteOnlyNonBlocking);
        if (opened.IsError)
        {
            var hint = opened.Errno == OpenBsdErrno.ENXIO ? " (isakmpd is not reading it: not running?)" : "";
            throw new DaemonControlException($"cannot open isakmpd FIFO {FifoPath}: {SystemCallException.Describe(opened.Errno)}{hint}", opened.Errno);
        }

        var fd = (int)opened.Value;
        try
        {
            var status = new byte[statLayout.Size];
            var stat = native.FStat(fd, status);
            if (stat.IsError)
            {
                throw new DaemonControlException($"cannot fstat isakmpd FIFO {FifoPath}: {SystemCallException.Describe(stat.Errno)}", stat.Errno);
            }

            if (!statLayout.TryRead(status, out var mode, out _) || !mode.IsFifo)
            {
                throw new DaemonControlException($"{FifoPath} is not a FIFO; not writing isakmpd commands to it");
            }

            var command = Command(active);
            SysResult written;
            do
            {
                written = native.Write(fd, command);
            }
            while (written.Errno == OpenBsdErrno.EINTR);

            if (written.IsError)
            {
                throw new DaemonControlException($"cannot write to isakmpd FIFO {FifoPath}: {SystemCallException.Describe(written.Errno)}", written.Errno);
            }

            if (written.Value != command.Length)
            {
                throw new DaemonControlException($"isakmpd FIFO {FifoPath} took {written.Value} of {command.Length} bytes");
            }
        }
        finally
        {
            native.Close(fd);
        }

        return ValueTask.CompletedTask;
    }
}
