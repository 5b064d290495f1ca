using Sasync.Core.Config;
using Sasync.Core.Platform;

namespace Sasync.Cli.Commands;

/// <summary>
/// Reports a file as the inner inspector sees it but with owner-only mode bits, so <c>check</c> without
/// <c>--check-mode</c> does not warn about a mode that git cannot keep anyway. Whether it is a regular file still counts.
/// </summary>
internal sealed class ModeIgnoringInspector(IConfigFileInspector inner) : IConfigFileInspector
{
    public ConfigFileFacts Inspect(string path) =>
        inner.Inspect(path) with { Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
}
