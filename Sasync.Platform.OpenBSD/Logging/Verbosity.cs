using Microsoft.Extensions.Logging;

namespace Sasync.Platform.OpenBSD.Logging;

/// <summary>
/// The <c>-v</c> levels of the manual: without <c>-v</c> errors and warnings; <c>-v</c> adds state changes;
/// <c>-vv</c> each PF_KEY message relayed, received or written, and configuration detail; <c>-vvv</c> and more
/// network, crypto and timer detail. They map onto Microsoft.Extensions.Logging's levels: errors → Error (and
/// Warning), state changes → Information, PF_KEY and configuration → Debug, the rest → Trace.
/// </summary>
public static class Verbosity
{
    /// <summary>The lowest level logged for <paramref name="verboseCount"/> <c>-v</c> flags.</summary>
    public static LogLevel MinimumLevel(int verboseCount) => verboseCount switch
    {
        <= 0 => LogLevel.Warning,
        1 => LogLevel.Information,
        2 => LogLevel.Debug,
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

/// <summary>What a log message is about; the value is the <c>-v</c> count from which it is shown.</summary>
public enum VerboseTopic
{
    /// <summary>Errors and warnings: always logged.</summary>
    Errors = 0,

    /// <summary>Run state, carp and peer changes: from <c>-v</c>.</summary>
    StateChanges = 1,

    /// <summary>Configuration detail: from <c>-vv</c>.</summary>
    Configuration = 2,

    /// <summary>Each PF_KEY message relayed, received or written: from <c>-vv</c>.</summary>
    PfKey = 2,

    /// <summary>Network detail: from <c>-vvv</c>.</summary>
    Network = 3,

    /// <summary>Crypto detail: from <c>-vvv</c>.</summary>
    Crypto = 3,

    /// <summary>Timer detail: from <c>-vvv</c>.</summary>
    Timers = 3,
}
