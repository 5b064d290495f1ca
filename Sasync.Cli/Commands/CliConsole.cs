using Sasync.Core.Platform;

namespace Sasync.Cli.Commands;

/// <summary>
/// What a verb talks to: standard output, error and input, and how configuration files are looked at
/// (null: this system's way). Tests pass their own; <see cref="CommandLine"/> hands it to every verb.
/// </summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, TextReader In, IConfigFileInspector? Inspector = null);
