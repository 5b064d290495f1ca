namespace Sasync.Core.Config;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}
