using Microsoft.Extensions.Logging;

namespace Sasync.Platform.OpenBSD.Logging;

/// <summary>
/// The <c>-d</c> log: one plain line per message, <c>sasyncd-cs: message</c>, as an OpenBSD daemon writes to stderr
/// in the foreground. Lines are written synchronously under one lock, so they appear in the order they were logged
/// and never interleave; no event ids, no timestamps, and colour only when <see cref="TerminalColour"/> allows it.
/// Level filtering is the host's (<see cref="Verbosity"/>).
/// </summary>
public sealed class StderrLoggerProvider : ILoggerProvider
{
    private const string Red = "\u001b[31m", Yellow = "\u001b[33m", Reset = "\u001b[0m";

    private readonly TextWriter _output;
    private readonly string _prefix;
    private readonly bool _colour;
    private readonly Lock _gate = new();

    /// <param name="output">Where lines go (the process's stderr for the daemon).</param>
    /// <param name="colour">Errors in red and warnings in yellow; see <see cref="TerminalColour.Enabled"/>.</param>
    /// <param name="ident">The name before the colon of every line.</param>
    public StderrLoggerProvider(TextWriter output, bool colour, string ident = SyslogLoggerProvider.DefaultIdent)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentException.ThrowIfNullOrEmpty(ident);
        _output = output;
        _colour = colour;
        _prefix = ident + ": ";
    }

    /// <summary>A logger writing through this provider; the category does not appear in the line.</summary>
    public ILogger CreateLogger(string categoryName) => new LineLogger(Write);

    /// <summary>Flushes the output; the writer itself stays open (it is the caller's).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _output.Flush();
        }
    }

    private void Write(LogLevel level, string message)
    {
        var colour = !_colour ? null : level >= LogLevel.Error ? Red : level == LogLevel.Warning ? Yellow : null;
        var line = colour is null ? $"{_prefix}{message}\n" : $"{colour}{_prefix}{message}{Reset}\n";
        lock (_gate)
        {
            _output.Write(line);
            _output.Flush();
        }
    }
}
