using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Sasync.Cli.Privsep.Bench;

/// <summary>
/// Plays isakmpd's command FIFO for the benchmark: a FIFO made with mkfifo(1), held open for reading and
/// writing (so the daemon's non-blocking open for writing always finds a reader), each command line
/// time-stamped as it arrives.
/// </summary>
internal sealed class FifoWatch : IAsyncDisposable
{
    private const string EndLine = "end of watch";

    private readonly string _path;
    private readonly FileStream _fifo;
    private readonly Channel<(long Timestamp, string Line)> _lines = Channel.CreateUnbounded<(long, string)>();
    private readonly Task _reading;

    private FifoWatch(string path, FileStream fifo)
    {
        _path = path;
        _fifo = fifo;
        _reading = Task.Run(ReadAsync);
    }

    public static async Task<FifoWatch> CreateAsync(string path)
    {
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", ["-m", "600", path]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("mkfifo did not start"))
        {
            await mkfifo.WaitForExitAsync().ConfigureAwait(false);
            if (mkfifo.ExitCode != 0)
            {
                throw new IOException($"mkfifo {path} failed ({mkfifo.ExitCode})");
            }
        }

        // O_RDWR on a FIFO opens at once on Linux, without a writer.
        return new FifoWatch(path, new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1, FileOptions.None));
    }

    /// <summary>The next line that says <paramref name="command"/>, and when it arrived (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public async Task<long> WaitForAsync(string command, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (timestamp, line) = await _lines.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (line == command)
            {
                return timestamp;
            }
        }
    }

    /// <summary>Forgets the lines read so far.</summary>
    public void Clear()
    {
        while (_lines.Reader.TryRead(out _))
        {
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[256];
        var line = new StringBuilder();
        try
        {
            while (true)
            {
                var read = await _fifo.ReadAsync(buffer).ConfigureAwait(false);
                var timestamp = Stopwatch.GetTimestamp();
                if (read == 0)
                {
                    return;
                }

                foreach (var c in Encoding.ASCII.GetString(buffer, 0, read))
                {
                    if (c == '\n' && line.ToString() == EndLine)
                    {
                        return;
                    }

                    if (c == '\n')
                    {
                        _lines.Writer.TryWrite((timestamp, line.ToString()));
                        line.Clear();
                    }
                    else
                    {
                        line.Append(c);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A blocking read of a FIFO is not woken by a close: end it with a line of our own.
        await using (var end = new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None))
        {
            await end.WriteAsync(Encoding.ASCII.GetBytes(EndLine + "\n")).ConfigureAwait(false);
        }

        await _reading.ConfigureAwait(false);
        await _fifo.DisposeAsync().ConfigureAwait(false);
    }
}
