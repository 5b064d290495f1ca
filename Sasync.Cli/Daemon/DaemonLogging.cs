using Microsoft.Extensions.Logging;
using Sasync.Cli.Commands;

namespace Sasync.Cli.Daemon;

/// <summary>Where the daemon logs: with <c>-d</c> plain lines on stderr, otherwise syslog (daemon facility), at the level the <c>-v</c> flags ask for.</summary>
internal static class DaemonLogging
{
    public static void Configure(ILoggingBuilder builder, DaemonOptions options)
    {
        builder.ClearProviders();
        Platform.OpenBSD.Logging.DaemonLogging.AddDaemonLogging(builder, options.Foreground, options.Verbosity);
        // The host's own chatter (starting, stopping, a failed start with its stack) is not the daemon's:
        // the node logs what an operator needs, in its own words.
        builder.AddFilter("Microsoft.Hosting", LogLevel.None);
        builder.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
    }
}
