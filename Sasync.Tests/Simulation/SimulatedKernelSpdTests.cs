using System.Net;
using Sasync.Core.Platform;
using Sasync.Core.PfKey;
using Sasync.Core.Simulation;
using static Sasync.Tests.Simulation.KernelTestMessages;

namespace Sasync.Tests.Simulation;

public sealed class SimulatedKernelSpdTests
{
    private const uint Pid = 500;

    [Fact]
    public async Task AddFlow_of_an_identical_flow_replaces_it_and_DelFlow_removes_it()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);

        await ike.WriteAsync(Flow(SadbMessageType.XAddFlow, Pid, "10.1.0.0", "255.255.0.0", "10.2.0.0", "255.255.0.0", SadbFlowType.Require).Build(), default);
        await ike.WriteAsync(Flow(SadbMessageType.XAddFlow, Pid, "10.1.0.0", "255.255.0.0", "10.2.0.0", "255.255.0.0", SadbFlowType.Use).Build(), default);
        await ike.WriteAsync(Flow(SadbMessageType.XAddFlow, Pid, "10.1.0.0", "255.255.0.0", "10.2.0.0", "255.255.0.0", SadbFlowType.Use, SadbDirection.In).Build(), default);

        Assert.Equal(
            [(SadbDirection.In, SadbFlowType.Use), (SadbDirection.Out, SadbFlowType.Use)],
            kernel.Flows.Select(f => (f.Direction, f.Type)));

        await ike.WriteAsync(Flow(SadbMessageType.XDelFlow, Pid, "10.1.0.0", "255.255.0.0", "10.2.0.0", "255.255.0.0", SadbFlowType.Use).Build(), default);

        var left = Assert.Single(kernel.Flows);
        Assert.Equal(SadbDirection.In, left.Direction);
        Assert.All(Drain(ike).Select(Parse), reply => Assert.Equal(0, reply.Header.Errno));
    }

    [Fact]
    public async Task DelFlow_of_a_missing_flow_answers_ESRCH()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);

        await ike.WriteAsync(Flow(SadbMessageType.XDelFlow, Pid, "10.1.0.0", "255.255.0.0", "10.2.0.0", "255.255.0.0").Build(), default);

        var reply = Parse(Assert.Single(Drain(ike)));
        Assert.Equal((SadbMessageType.XDelFlow, (byte)OpenBsdErrno.ESRCH), (reply.Type, reply.Header.Errno));
    }

    [Fact]
    public async Task Flow_addresses_and_ports_are_masked_and_a_flow_without_satype_becomes_ESP()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        var builder = Flow(SadbMessageType.XAddFlow, Pid, "10.1.2.3", "255.255.0.0", "10.2.3.4", "255.255.255.0", saType: SadbSaType.Unspec, protocol: 6);
        builder.Set(new AddressExtension(SadbExtensionType.XSrcFlow, IPAddress.Parse("10.1.2.3"), 1234));
        builder.Set(new AddressExtension(SadbExtensionType.XSrcMask, IPAddress.Parse("255.255.0.0"), 0xffff));

        await ike.WriteAsync(builder.Build(), default);

        var flow = Assert.Single(kernel.Flows);
        Assert.Equal((IPAddress.Parse("10.1.0.0"), (ushort)1234, IPAddress.Parse("10.2.3.0"), (ushort)0, (byte)6), (flow.SourceFlow, flow.SourcePort, flow.DestinationFlow, flow.DestinationPort, flow.Protocol));
        Assert.Equal((SadbSaType.Esp, Peer), (flow.SaType, flow.Destination));
        Assert.Equal(SadbSaType.Esp, Parse(Assert.Single(Drain(ike))).Header.SaType);
    }

    [Fact]
    public async Task A_flow_with_a_direction_other_than_in_or_out_fails_with_EINVAL()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);

        var error = await Assert.ThrowsAsync<KeyEngineException>(async () => await ike.WriteAsync(
            Flow(SadbMessageType.XAddFlow, Pid, "10.1.0.0", "255.255.0.0", "10.2.0.0", "255.255.0.0", direction: SadbDirection.None).Build(), default));

        Assert.Equal(OpenBsdErrno.EINVAL, error.Errno);
        Assert.Empty(kernel.Flows);
    }

    [Fact]
    public async Task Flows_live_in_their_routing_domain()
    {
        var kernel = new SimulatedKernel(new SimulatedKernelOptions { RoutingTables = [0, 3] });
        await using var ike = kernel.OpenClient(Pid);
        await using var other = kernel.OpenClient(Pid + 1, routingDomain: 3);

        await other.WriteAsync(Flow(SadbMessageType.XAddFlow, Pid + 1, "10.1.0.0", "255.255.0.0", "10.2.0.0", "255.255.0.0").Build(), default);

        Assert.Equal(3u, Assert.Single(kernel.Flows).RoutingDomain);
        Assert.Empty(kernel.DumpSpd(0));
        Assert.NotEmpty(kernel.DumpSpd(3));
        Assert.Empty(Drain(ike));
        Assert.Single(Drain(other));
    }
}
