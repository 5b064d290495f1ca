using System.Runtime.InteropServices;

namespace Sasync.Platform.OpenBSD.Native;

/// <summary>
/// Which kernel we run on. .NET has no OperatingSystem.IsOpenBSD(), so OpenBSD is recognised
/// by <see cref="RuntimeInformation.IsOSPlatform"/> with the platform name "OPENBSD", which is
/// what the community OpenBSD builds of the runtime report.
/// </summary>
internal static class HostOs
{
    private static readonly OSPlatform OpenBsdPlatform = OSPlatform.Create("OPENBSD");

    public static bool IsOpenBsd => RuntimeInformation.IsOSPlatform(OpenBsdPlatform);

    public static bool IsLinux => OperatingSystem.IsLinux();

    /// <summary>Throws a startup error for a component that needs an OpenBSD kernel.</summary>
    public static void RequireOpenBsd(string component)
    {
        if (!IsOpenBsd)
        {
            throw new PlatformNotSupportedException(
                $"{component} needs an OpenBSD kernel (this is {RuntimeInformation.OSDescription}); use --platform sim elsewhere.");
        }
    }
}
