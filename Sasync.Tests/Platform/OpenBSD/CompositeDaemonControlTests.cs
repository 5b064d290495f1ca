using NSubstitute;
using NSubstitute.ExceptionExtensions;
using Sasync.Core.Config;
using Sasync.Core.Platform;
using Sasync.Platform.OpenBSD.Control;

namespace Sasync.Tests.Platform.OpenBSD;

public class CompositeDaemonControlTests
{
    [Fact]
    public async Task Every_control_is_tried_and_a_failure_is_reported_afterwards()
    {
        var failing = Substitute.For<IDaemonControl>();
        failing.SetActiveAsync(true, Arg.Any<CancellationToken>()).Throws(new DaemonControlException("isakmpd down", 6));
        var working = Substitute.For<IDaemonControl>();

        var e = await Assert.ThrowsAsync<DaemonControlException>(() => new CompositeDaemonControl([failing, working]).SetActiveAsync(true, CancellationToken.None).AsTask());

        Assert.Equal("isakmpd down", e.Message);
        await working.Received(1).SetActiveAsync(true, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Two_failures_are_reported_together()
    {
        var first = Substitute.For<IDaemonControl>();
        first.SetActiveAsync(false, Arg.Any<CancellationToken>()).Throws(new DaemonControlException("no isakmpd"));
        var second = Substitute.For<IDaemonControl>();
        second.SetActiveAsync(false, Arg.Any<CancellationToken>()).Throws(new IOException("no iked"));

        var e = await Assert.ThrowsAsync<DaemonControlException>(() => new CompositeDaemonControl([first, second]).SetActiveAsync(false, CancellationToken.None).AsTask());

        Assert.Equal("no isakmpd; no iked", e.Message);
        Assert.Equal(2, Assert.IsType<AggregateException>(e.InnerException).InnerExceptions.Count);
    }

    [Theory]
    [InlineData(DaemonControlMode.Isakmpd, "isakmpd")]
    [InlineData(DaemonControlMode.Iked, "iked")]
    [InlineData(DaemonControlMode.All, "isakmpd,iked")]
    [InlineData(DaemonControlMode.None, "")]
    public void The_control_setting_picks_the_daemons(DaemonControlMode mode, string expected)
    {
        var composite = CompositeDaemonControl.For(mode, "/tmp/a.fifo", "/tmp/b.sock");
        var names = composite.Controls.Select(c => c switch
        {
            IsakmpdFifoControl fifo when fifo.FifoPath == "/tmp/a.fifo" => "isakmpd",
            IkedSocketControl iked when iked.SocketPath == "/tmp/b.sock" => "iked",
            _ => "?",
        });
        Assert.Equal(expected, string.Join(',', names));
    }
}
