using Sasync.Platform.OpenBSD.Carp;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Platform.OpenBSD.PfKey;

namespace Sasync.Tests.Platform.OpenBSD;

public class HostGuardTests
{
    [LinuxFact]
    public void Kernel_components_refuse_to_start_off_OpenBSD_with_a_hint()
    {
        Assert.False(HostOs.IsOpenBsd);
        var pfkey = Assert.Throws<PlatformNotSupportedException>(() => PfKeySocket.Open());
        Assert.Contains("--platform sim", pfkey.Message, StringComparison.Ordinal);
        Assert.Throws<PlatformNotSupportedException>(() => RoutingSocketCarpSource.Create());
        Assert.Throws<PlatformNotSupportedException>(() => GroupCarpDemoter.Create());
    }

    [LinuxFact]
    public void Linux_gets_the_linux_open_flags()
    {
        Assert.Equal(OpenFlags.Linux, OpenFlags.Current);
        Assert.Equal(0x80801, OpenFlags.Linux.WriteOnlyNonBlocking);
        Assert.Equal(0x10005, OpenFlags.OpenBsd.WriteOnlyNonBlocking);
    }
}
