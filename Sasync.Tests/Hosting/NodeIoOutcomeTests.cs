using System.Collections.Immutable;
using Sasync.Core.Hosting;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;

namespace Sasync.Tests.Hosting;

public class NodeIoOutcomeTests
{
    private readonly SimulatedNode _host = new();
    private readonly List<object> _posted = [];

    private SynchronousNodeIo Io(bool withIsakmpd = true) => new(
        new NodePlatform(
            _host.OpenKeyEngine(NodeCoreHarness.OurPid), _host.Carp, _host.CarpGroup,
            withIsakmpd ? ImmutableDictionary<DaemonKind, IDaemonControl>.Empty.Add(DaemonKind.Isakmpd, _host.DaemonControl) : ImmutableDictionary<DaemonKind, IDaemonControl>.Empty),
        _posted.Add);

    [Fact]
    public void A_kernel_refusal_comes_back_with_its_errno()
    {
        var bare = new PfKeyMessageBuilder(SadbMessageType.Add, SadbSaType.Esp, 1, NodeCoreHarness.OurPid).Build(); // an ADD without its SA

        var outcome = Io().WriteToKernel(new WriteToKernel("peer-a", bare));

        Assert.NotNull(outcome);
        Assert.Equal(SadbMessageType.Add, outcome.Type);
        Assert.Equal(KernelFailureKind.Refused, outcome.Failure?.Kind);
        Assert.Equal(OpenBsdErrno.EINVAL, outcome.Failure?.Errno);
        Assert.Empty(_posted);
    }

    [Fact]
    public void An_unreachable_daemon_and_a_missing_control_are_told_apart()
    {
        _host.DaemonControl.Failing = true;
        Io().ControlDaemon(DaemonKind.Isakmpd, true);
        Io(withIsakmpd: false).ControlDaemon(DaemonKind.Isakmpd, false);

        var outcomes = _posted.Cast<DaemonControlCompleted>().ToList();
        Assert.Equal([DaemonControlFailureKind.Unreachable, DaemonControlFailureKind.NotConfigured], outcomes.Select(o => o.Failure!.Kind));
        Assert.Equal([true, false], outcomes.Select(o => o.Active));
    }

    [Fact]
    public void A_demotion_outside_the_counter_s_range_is_reported_not_applied()
    {
        var io = Io();
        io.AdjustDemotion("carp", -1);
        io.AdjustDemotion("carp", +1);

        var outcomes = _posted.Cast<DemotionAdjusted>().ToList();
        Assert.NotNull(outcomes[0].Error);
        Assert.Null(outcomes[1].Error);
        Assert.Equal(1, _host.CarpGroup.DemoteCounter);
    }
}
