using Microsoft.Extensions.Logging;

namespace Sasync.Platform.OpenBSD.Logging;

/// <summary>
/// A logger that hands each message, with the exception's message after a colon, to its provider's sink as one
/// line: the daemon's logs (stderr with <c>-d</c>, syslog otherwise) show no category, scope or stack.
/// </summary>
internal sealed class LineLogger(Action<LogLevel, string> write) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        write(logLevel, exception is null ? message : $"{message}: {exception.Message}");
    }
}
