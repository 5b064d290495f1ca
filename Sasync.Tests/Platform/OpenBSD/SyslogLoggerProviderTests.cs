using Microsoft.Extensions.Logging;
using NSubstitute;
using Sasync.Platform.OpenBSD.Logging;
using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Tests.Platform.OpenBSD;

public class SyslogLoggerProviderTests
{
    [Fact]
    public void Opens_syslog_as_a_daemon_with_pid_and_logs_each_level_at_its_priority()
    {
        var native = Substitute.For<INativeCalls>();
        using (var provider = new SyslogLoggerProvider("sasyncd-cs", native))
        {
            native.Received(1).OpenLog("sasyncd-cs", 0x01 | 0x08, 3 << 3);
            var logger = provider.CreateLogger("Sasync.Engine");

            logger.LogWarning("peer {Peer} went away", "192.0.2.2");
            logger.LogError(new IOException("connection reset"), "cannot send to {Peer}", "192.0.2.3");
            logger.LogInformation("carp0 is now MASTER");

            native.Received(1).Syslog(24 | 4, "peer 192.0.2.2 went away");
            native.Received(1).Syslog(24 | 3, "cannot send to 192.0.2.3: connection reset");
            native.Received(1).Syslog(24 | 5, "carp0 is now MASTER");
        }

        native.Received(1).CloseLog();
    }

    [Fact]
    public void Nothing_is_written_after_dispose()
    {
        var native = Substitute.For<INativeCalls>();
        var provider = new SyslogLoggerProvider("x", native);
        var logger = provider.CreateLogger("c");
        provider.Dispose();
        provider.Dispose();

        logger.LogCritical("late");

        native.DidNotReceive().Syslog(Arg.Any<int>(), Arg.Any<string>());
        native.Received(1).CloseLog();
    }

    [Theory]
    [InlineData(LogLevel.Critical, 26)]
    [InlineData(LogLevel.Error, 27)]
    [InlineData(LogLevel.Warning, 28)]
    [InlineData(LogLevel.Information, 29)]
    [InlineData(LogLevel.Debug, 31)]
    [InlineData(LogLevel.Trace, 31)]
    public void Levels_map_to_daemon_facility_priorities(LogLevel level, int priority) =>
        Assert.Equal(priority, SyslogLoggerProvider.Priority(level));
}
