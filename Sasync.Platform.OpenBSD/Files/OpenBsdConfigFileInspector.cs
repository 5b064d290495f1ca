using Sasync.Core.Config;
using Sasync.Core.Platform;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Platform.OpenBSD.Structs;

namespace Sasync.Platform.OpenBSD.Files;

/// <summary>
/// stat(2) of the configuration file (following a symlink, like the original) decoded with the
/// struct stat layout of the running system: OpenBSD amd64 in production, Linux for tests. Unlike
/// the portable inspector it knows the owner and tells a FIFO or device from a regular file.
/// </summary>
internal sealed class OpenBsdConfigFileInspector : IConfigFileInspector
{
    private readonly INativeCalls native;
    private readonly StatLayout layout;

    public OpenBsdConfigFileInspector()
        : this(LibcNative.Instance, StatLayout.Current ?? throw new PlatformNotSupportedException("no struct stat layout known for this system"))
    {
    }

    public OpenBsdConfigFileInspector(INativeCalls native, StatLayout layout)
    {
        ArgumentNullException.ThrowIfNull(native);
        ArgumentNullException.ThrowIfNull(layout);
        this.native = native;
        this.layout = layout;
    }

    /// <summary>The raw facts; a failed stat is reported by its errno.</summary>
    public ConfigFileStat Stat(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var buffer = new byte[layout.Size];
        var result = native.Stat(path, buffer);
        if (result.IsError)
        {
            return ConfigFileStat.Failed(result.Errno);
        }

        layout.TryRead(buffer, out var mode, out var owner);
        return new ConfigFileStat(0, mode, owner);
    }

    /// <summary>The facts for <see cref="ConfigFileRule"/>; a failed stat is a <see cref="SystemCallException"/> (an IOException).</summary>
    public ConfigFileFacts Inspect(string path)
    {
        var stat = Stat(path);
        if (!stat.Found)
        {
            throw new SystemCallException("stat", stat.Errno, $"cannot examine {path}");
        }

        // Core counts uids as int; a uid above int.MaxValue is neither root nor _isakmpd either way.
        var owner = (int)Math.Min(stat.OwnerUid, int.MaxValue);
        return new ConfigFileFacts(stat.Mode.IsRegularFile, owner, stat.Mode.UnixPermissions);
    }
}
