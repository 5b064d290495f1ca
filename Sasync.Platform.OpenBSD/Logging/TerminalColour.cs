namespace Sasync.Platform.OpenBSD.Logging;

/// <summary>Whether the <c>-d</c> log may use colour: only on a terminal, and never when NO_COLOR is set (no-color.org).</summary>
internal static class TerminalColour
{
    public static bool Enabled(bool stderrIsTerminal, string? noColor) => stderrIsTerminal && string.IsNullOrEmpty(noColor);

    /// <summary>For this process: stderr not redirected and no NO_COLOR in the environment.</summary>
    public static bool EnabledForThisProcess() =>
        Enabled(!Console.IsErrorRedirected, Environment.GetEnvironmentVariable("NO_COLOR"));
}
