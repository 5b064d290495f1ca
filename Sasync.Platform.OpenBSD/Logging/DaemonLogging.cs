using Microsoft.Extensions.Logging;

namespace Sasync.Platform.OpenBSD.Logging;

/// <summary>The daemon's logging: with <c>-d</c> plain lines on stderr, otherwise syslog; the level from the <c>-v</c> count.</summary>
public static class DaemonLogging
{
    /// <summary>Sets the minimum level from <paramref name="verboseCount"/> and adds the stderr provider (<paramref name="foreground"/>, as <c>-d</c>) or the syslog provider.</summary>
    /// <param name="builder">The host's logging builder.</param>
    /// <param name="foreground">True for plain lines on stderr (colour only on a terminal without NO_COLOR), false for syslog.</param>
    /// <param name="verboseCount">How many <c>-v</c> flags were given; see <see cref="Verbosity.MinimumLevel"/>.</param>
    /// <returns><paramref name="builder"/>.</returns>
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
