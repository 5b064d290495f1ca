using Sasync.Platform.OpenBSD.Native;
using Sasync.Platform.OpenBSD.Structs;

namespace Sasync.Platform.OpenBSD.Files;

/// <summary>
/// stat(2) of the configuration file (following a symlink, like the original) decoded with the
/// struct stat layout of the running system: OpenBSD amd64 in production, Linux for tests.
/// Core's <c>IConfigFileInspector.Inspect</c> (config branch) maps onto <see cref="Stat"/>: a failed
/// stat becomes a <see cref="SystemCallException"/> (an IOException), otherwise
/// <c>new ConfigFileFacts(s.Mode.IsRegularFile, (int)s.OwnerUid, s.Mode.UnixPermissions)</c>.
/// </summary>
public sealed class OpenBsdConfigFileInspector
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
}
