using System.Collections.Immutable;

namespace Sasync.Core.Config;

/// <summary>The outcome of reading a configuration: the settings when there is no error, and every diagnostic.</summary>
public sealed record ConfigResult
{
    /// <summary>A result; <paramref name="settings"/> are dropped when <paramref name="diagnostics"/> hold an error.</summary>
    /// <param name="settings">The settings read, or null when there are none.</param>
    /// <param name="diagnostics">Every finding, in position order; a default array counts as empty.</param>
    public ConfigResult(SyncSettings? settings, ImmutableArray<Diagnostic> diagnostics)
    {
        Diagnostics = diagnostics.IsDefault ? [] : diagnostics;
        Settings = Diagnostics.Any(d => d.IsError) ? null : settings;
    }

    /// <summary>The effective settings; null when <see cref="Diagnostics"/> holds an error.</summary>
    public SyncSettings? Settings { get; }

    /// <summary>Errors and warnings, ordered by position (whole-file ones first).</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    /// <summary>True when there are settings to run with (no error); warnings may still be present.</summary>
    public bool IsValid => Settings is not null;

    /// <summary>True when at least one diagnostic is a warning.</summary>
    public bool HasWarnings => Diagnostics.Any(d => !d.IsError);

    /// <summary>A result with no settings and the single <paramref name="diagnostic"/> that explains why.</summary>
    public static ConfigResult Failed(Diagnostic diagnostic) => new(null, [diagnostic]);

    /// <summary>The same result with more diagnostics (for example the file rule's), kept in position order.</summary>
    public ConfigResult With(IEnumerable<Diagnostic> more) =>
        new(Settings, [.. Diagnostics.Concat(more).OrderBy(d => d.Line).ThenBy(d => d.Column)]);
}
