using Sasync.Core.Platform;
using Sasync.Platform.OpenBSD.Files;
using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Cli;

/// <summary>How this system looks at a configuration file: stat(2) with the owner on OpenBSD, mode bits elsewhere.</summary>
internal static class ConfigFileInspectors
{
    public static IConfigFileInspector ForThisSystem() =>
        HostOs.IsOpenBsd ? new OpenBsdConfigFileInspector() : new PortableConfigFileInspector();
}
