using Sasync.Core.Config;
using Sasync.Core.Platform;

namespace Sasync.Cli;

/// <summary>
/// <see cref="IConfigFileInspector"/> from .NET's file APIs, for any OS. It cannot tell the owner, and it tells a
/// directory from a file but not a FIFO or device from a regular file; the OpenBSD platform uses stat(2) instead.
/// </summary>
public sealed class PortableConfigFileInspector : IConfigFileInspector
{
    public ConfigFileFacts Inspect(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // Both follow symbolic links, as stat(2) does in the original.
        var isDirectory = Directory.Exists(path);
        var mode = OperatingSystem.IsWindows()
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite // Windows has no such bits; nothing to complain about.
            : File.GetUnixFileMode(path);
        return new ConfigFileFacts(IsRegularFile: !isDirectory, OwnerUid: null, Mode: mode);
    }
}
