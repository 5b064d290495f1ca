using Microsoft.Extensions.Logging;

namespace Sasync.Platform.OpenBSD.Logging;

/// <summary>
/// The original's <c>-v</c> levels, from "always" to "most verbose": errors 0, state changes 1,
/// configuration 2, PF_KEY 3, network 4, crypto 5, timers 6. A message of a topic is shown when
/// the <c>-v</c> count reaches its level. Microsoft.Extensions.Logging has fewer levels, so the
/// topics share them: errors → Error (warnings too are always shown), state changes → Information, configuration and
/// PF_KEY → Debug, network, crypto and timers → Trace.
/// </summary>
public static class Verbosity
{
    /// <summary>The lowest level logged for <paramref name="verboseCount"/> <c>-v</c> flags.</summary>
    public static LogLevel MinimumLevel(int verboseCount) => verboseCount switch
    {
        <= 0 => LogLevel.Warning,
        1 => LogLevel.Information,
        2 or 3 => LogLevel.Debug,
        _ => LogLevel.Trace,
    };

    /// <summary>The level to log a message of <paramref name="topic"/> at.</summary>
    public static LogLevel LevelOf(VerboseTopic topic) => topic switch
    {
        VerboseTopic.Errors => LogLevel.Error,
        VerboseTopic.StateChanges => LogLevel.Information,
        VerboseTopic.Configuration or VerboseTopic.PfKey => LogLevel.Debug,
        _ => LogLevel.Trace,
    };
}

/// <summary>What a log message is about; the value is the <c>-v</c> count the original shows it at.</summary>
public enum VerboseTopic
{
    Errors = 0,
    StateChanges = 1,
    Configuration = 2,
    PfKey = 3,
    Network = 4,
    Crypto = 5,
    Timers = 6,
}
