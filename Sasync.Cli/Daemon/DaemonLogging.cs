using Microsoft.Extensions.Logging;
using Sasync.Cli.Commands;
using Sasync.Platform.OpenBSD.Logging;

namespace Sasync.Cli.Daemon;

/// <summary>Where the daemon logs: with <c>-d</c> to stderr, otherwise to syslog (daemon facility), at the level the <c>-v</c> flags ask for.</summary>
internal static class DaemonLogging
{
    public static void Configure(ILoggingBuilder builder, DaemonOptions options)
    {
        builder.ClearProviders();
        builder.SetMinimumLevel(Verbosity.MinimumLevel(options.Verbosity));
        // The host's own chatter (starting, stopping, a failed start with its stack) is not the daemon's:
        // the node logs what an operator needs, in its own words.
        builder.AddFilter("Microsoft.Hosting", LogLevel.None);
        builder.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        if (options.Foreground)
        {
            builder.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        else
        {
            builder.AddProvider(new SyslogLoggerProvider());
        }
    }
}
