namespace Sasync.Core.Config;

/// <summary>
/// One finding about a configuration file. <see cref="Line"/> and <see cref="Column"/> are 1-based;
/// line 0 means the file as a whole (unreadable, bad owner or mode).
/// </summary>
public sealed record Diagnostic(int Line, int Column, DiagnosticSeverity Severity, string Message)
{
    /// <summary>True for an error, which keeps the file from being used.</summary>
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>An error at a 1-based <paramref name="line"/> and <paramref name="column"/>.</summary>
    public static Diagnostic Error(int line, int column, string message) => new(line, column, DiagnosticSeverity.Error, message);

    /// <summary>A warning at a 1-based <paramref name="line"/> and <paramref name="column"/>.</summary>
    public static Diagnostic Warning(int line, int column, string message) => new(line, column, DiagnosticSeverity.Warning, message);

    /// <summary>An error about the file as a whole (line 0): unreadable, too large, not a regular file, bad owner or mode.</summary>
    public static Diagnostic FileError(string message) => Error(0, 0, message);

    /// <summary>A warning about the file as a whole (line 0).</summary>
    public static Diagnostic FileWarning(string message) => Warning(0, 0, message);

    /// <summary>
    /// Compiler style: <c>FILE:LINE:COLUMN: message</c>, <c>FILE: message</c> for the whole file,
    /// with <c>warning: </c> before the message of a warning.
    /// </summary>
    public string Format(string fileName)
    {
        var where = Line > 0 ? $"{fileName}:{Line}:{Column}" : fileName;
        var prefix = IsError ? "" : "warning: ";
        return $"{where}: {prefix}{Message}";
    }

    /// <summary><see cref="Format"/> with the file named <c>sasyncd.conf</c>.</summary>
    public override string ToString() => Format("sasyncd.conf");
}
