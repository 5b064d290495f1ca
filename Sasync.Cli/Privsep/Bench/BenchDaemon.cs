using System.Diagnostics;
using Sasync.Platform.OpenBSD.Privsep;
using System.Text;

namespace Sasync.Cli.Privsep.Bench;

/// <summary>
/// One <c>sasyncd-cs</c> daemon started by the privilege-separation benchmark: this same program (through
/// dotnet(1) when that is how we run) with the given flags, its log kept for a failure report.
/// </summary>
internal sealed class BenchDaemon : IAsyncDisposable
{
    private const int KeptLogLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _log = new();

    private BenchDaemon(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, line) => Keep(line.Data);
        _process.OutputDataReceived += (_, line) => Keep(line.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines it logged.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    public static BenchDaemon Start(IEnumerable<string> arguments)
    {
        var start = ThisProgram.StartInfo();
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        start.StandardErrorEncoding = Encoding.UTF8;
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new BenchDaemon(Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start"));
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="patience"/>; the exit status.</summary>
    public async Task<int> StopAsync(TimeSpan patience)
    {
        if (!_process.HasExited)
        {
            Platform.OpenBSD.Privsep.Signals.Send(_process.Id, Platform.OpenBSD.Privsep.Signals.Terminate);
        }

        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Enqueue(line);
            while (_log.Count > KeptLogLines)
            {
                _log.Dequeue();
            }
        }
    }
}
