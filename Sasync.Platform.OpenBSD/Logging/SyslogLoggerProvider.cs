using Microsoft.Extensions.Logging;
using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Platform.OpenBSD.Logging;

/// <summary>
/// Logs to syslog(3) with the daemon facility and our pid, as OpenBSD daemons do (used without
/// <c>-d</c>). Works on OpenBSD and Linux. Level filtering is the host's (<see cref="Verbosity"/>).
/// </summary>
public sealed class SyslogLoggerProvider : ILoggerProvider
{
    /// <summary>The ident syslog puts before each message.</summary>
    public const string DefaultIdent = "sasyncd-cs";

    private readonly INativeCalls native;
    private int disposed;

    /// <summary>Opens the log (openlog(3) with LOG_PID | LOG_NDELAY, facility LOG_DAEMON) as <paramref name="ident"/>.</summary>
    public SyslogLoggerProvider(string ident = DefaultIdent)
        : this(ident, LibcNative.Instance)
    {
    }

    internal SyslogLoggerProvider(string ident, INativeCalls native)
    {
        ArgumentException.ThrowIfNullOrEmpty(ident);
        ArgumentNullException.ThrowIfNull(native);
        this.native = native;
        native.OpenLog(ident, SyslogConstants.LogPid | SyslogConstants.LogNDelay, SyslogConstants.LogDaemon);
    }

    /// <summary>A logger writing through this provider; the category does not appear in the message.</summary>
    public ILogger CreateLogger(string categoryName) => new LineLogger(Write);

    /// <summary>The syslog priority (daemon facility | severity) for a log level.</summary>
    public static int Priority(LogLevel level) => SyslogConstants.LogDaemon | level switch
    {
        LogLevel.Critical => SyslogConstants.LogCrit,
        LogLevel.Error => SyslogConstants.LogErr,
        LogLevel.Warning => SyslogConstants.LogWarning,
        LogLevel.Information => SyslogConstants.LogNotice,
        _ => SyslogConstants.LogDebug,
    };

    /// <summary>Closes the log (closelog(3)); later messages are dropped. Safe to call twice.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            native.CloseLog();
        }
    }

    private void Write(LogLevel level, string message)
    {
        if (Volatile.Read(ref disposed) == 0)
        {
            native.Syslog(Priority(level), message);
        }
    }
}
