using NSubstitute;
using Sasync.Platform.OpenBSD;
using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Tests.Platform.OpenBSD;

public class RootCheckTests
{
    [Fact]
    public void Root_passes_and_anyone_else_gets_the_original_message()
    {
        var native = Substitute.For<INativeCalls>();
        native.GetEffectiveUserId().Returns(0u, 1000u);
        Assert.Null(RootCheck.Check(native));
        Assert.Equal("This daemon needs to be run as root.", RootCheck.Check(native));
    }

    [LinuxFact]
    public void Geteuid_agrees_with_the_kernel_view_of_this_process()
    {
        // /proc/self/status "Uid:" lists real, effective, saved and filesystem uid.
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        var effective = uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2]);
        Assert.Equal(effective, LibcNative.Instance.GetEffectiveUserId());
        Assert.Equal(Environment.ProcessId, LibcNative.Instance.GetPid());
    }
}
