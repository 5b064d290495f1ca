using Sasync.Core.Config;
using Sasync.Core.Platform;
using Sasync.Platform.OpenBSD.Files;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Platform.OpenBSD.Structs;

namespace Sasync.Cli;

/// <summary>
/// <see cref="IConfigFileInspector"/> for any OS. The file type comes from stat(2) wherever the layout of
/// <c>struct stat</c> is known (Linux, OpenBSD), because .NET's file APIs describe a FIFO, a device and a socket
/// exactly like an empty regular file; the owner is not reported, since the root/<c>_isakmpd</c> rule is
/// OpenBSD's. On a system without a known layout a non-directory counts as regular only when it holds bytes
/// (FIFOs, devices and sockets have no size, and an empty file cannot be a valid configuration anyway).
/// </summary>
public sealed class PortableConfigFileInspector : IConfigFileInspector
{
    private readonly OpenBsdConfigFileInspector? _stat;

    public PortableConfigFileInspector()
        : this(StatLayout.Current is { } layout ? new OpenBsdConfigFileInspector(LibcNative.Instance, layout) : null)
    {
    }

    /// <param name="stat">stat(2) of the running system, or null to use only .NET's file APIs.</param>
    internal PortableConfigFileInspector(OpenBsdConfigFileInspector? stat)
    {
        _stat = stat;
    }

    public ConfigFileFacts Inspect(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (_stat is not null)
        {
            // Follows symbolic links, as stat(2) does in the original.
            return _stat.Inspect(path) with { OwnerUid = null };
        }

        if (OperatingSystem.IsWindows())
        {
            // No FIFOs or devices at file paths, and no mode bits to complain about.
            return new ConfigFileFacts(IsRegularFile: !Directory.Exists(path), OwnerUid: null, Mode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var mode = File.GetUnixFileMode(path); // throws for a missing file, as stat(2) fails
        var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true) ?? new FileInfo(path);
        return new ConfigFileFacts(IsRegularFile: target is FileInfo { Exists: true, Length: > 0 }, OwnerUid: null, Mode: mode);
    }
}
