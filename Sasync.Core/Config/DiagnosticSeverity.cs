namespace Sasync.Core.Config;

/// <summary>How much a <see cref="Diagnostic"/> matters.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Reported, but the settings are still used.</summary>
    Warning,

    /// <summary>The file is refused: no settings come out of it.</summary>
    Error,
}
