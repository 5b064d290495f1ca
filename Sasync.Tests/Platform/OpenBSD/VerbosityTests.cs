using Microsoft.Extensions.Logging;
using Sasync.Platform.OpenBSD.Logging;

namespace Sasync.Tests.Platform.OpenBSD;

public class VerbosityTests
{
    [Theory]
    [InlineData(0, LogLevel.Warning)]
    [InlineData(1, LogLevel.Information)]
    [InlineData(2, LogLevel.Debug)]
    [InlineData(3, LogLevel.Trace)]
    [InlineData(4, LogLevel.Trace)]
    [InlineData(9, LogLevel.Trace)]
    public void Verbose_count_sets_the_minimum_level(int count, LogLevel expected) =>
        Assert.Equal(expected, Verbosity.MinimumLevel(count));

    [Fact]
    public void Every_topic_is_shown_once_the_count_reaches_its_level()
    {
        foreach (var topic in Enum.GetValues<VerboseTopic>())
        {
            var count = (int)topic;
            Assert.True(Verbosity.LevelOf(topic) >= Verbosity.MinimumLevel(count), $"{topic} hidden at -v x{count}");
        }
    }

    [Fact]
    public void State_changes_are_hidden_without_v_and_errors_never_are()
    {
        Assert.True(Verbosity.LevelOf(VerboseTopic.StateChanges) < Verbosity.MinimumLevel(0));
        Assert.True(Verbosity.LevelOf(VerboseTopic.Errors) >= Verbosity.MinimumLevel(0));
        Assert.True(Verbosity.LevelOf(VerboseTopic.Timers) < Verbosity.MinimumLevel(2));
        Assert.True(Verbosity.LevelOf(VerboseTopic.PfKey) < Verbosity.MinimumLevel(1));
        Assert.Equal(Sasync.Core.PfKey.PfKeyTrace.Level, Verbosity.LevelOf(VerboseTopic.PfKey));
    }
}
