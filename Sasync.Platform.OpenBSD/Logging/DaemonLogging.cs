using Microsoft.Extensions.Logging;

namespace Sasync.Platform.OpenBSD.Logging;

/// <summary>The daemon's logging: with <c>-d</c> plain lines on stderr, otherwise syslog; the level from the <c>-v</c> count.</summary>
public static class DaemonLogging
{
    public static ILoggingBuilder AddDaemonLogging(this ILoggingBuilder builder, bool foreground, int verboseCount)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.SetMinimumLevel(Verbosity.MinimumLevel(verboseCount));
        builder.AddProvider(foreground
            ? new StderrLoggerProvider(Console.Error, TerminalColour.EnabledForThisProcess())
            : new SyslogLoggerProvider());
        return builder;
    }
}
