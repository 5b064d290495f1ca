using System.Net;
using Sasync.Core.Loopback;
using Sasync.Core.Simulation;

namespace Sasync.Tests.Simulation;

public sealed class TunnelMessagesTests
{
    private static readonly IPAddress Local = IPAddress.Parse("127.0.0.1");

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(999_999)]
    public void Each_message_is_the_one_the_builder_makes(int index)
    {
        var messages = new TunnelMessages(Local, ClusterWorkload.RemoteGateway);
        messages.Sa(index + 7); // what an earlier tunnel left in the buffer must not show
        messages.Flow(index + 7);

        Assert.Equal(
            IkeDaemonMessages.AddEspSa(0, 0, ClusterWorkload.Spi(index), Local, ClusterWorkload.RemoteGateway),
            messages.Sa(index).ToArray());
        Assert.Equal(
            IkeDaemonMessages.AddFlow(0, 0, IkeDaemonMessages.Network(index), ClusterWorkload.RemoteNetwork(index), ClusterWorkload.RemoteGateway),
            messages.Flow(index).ToArray());
    }

    [Fact]
    public async Task Tunnels_written_from_the_template_all_land_in_the_kernel()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(2000);
        var messages = new TunnelMessages(Local, ClusterWorkload.RemoteGateway);
        for (var i = 0; i < 300; i++)
        {
            var sa = messages.Sa(i);
            (Sasync.Core.PfKey.SadbHeader.Read(sa.Span) with { Pid = 2000, Sequence = (uint)i + 1 }).WriteTo(sa.Span);
            await ike.WriteAsync(sa, default);
            var flow = messages.Flow(i);
            (Sasync.Core.PfKey.SadbHeader.Read(flow.Span) with { Pid = 2000, Sequence = (uint)i + 1 }).WriteTo(flow.Span);
            await ike.WriteAsync(flow, default);
        }

        Assert.Equal((300, 300), (kernel.Sas.Count, kernel.Flows.Count));
    }
}
