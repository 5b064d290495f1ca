using System.Net;
using Sasync.Core.Control;
using Sasync.Core.Hosting;
using Sasync.Core.Loopback;
using Sasync.Core.Simulation;

namespace Sasync.Tests.Control;

/// <summary><c>sim.load</c>: the simulated IKE daemon sets up many tunnels in one request.</summary>
public sealed class SimulatedTunnelLoadTests
{
    private static async Task<ControlReply> HandleAsync(SimulatedNode host, string line)
    {
        Assert.True(ControlLineProtocol.TryParseRequest(System.Text.Encoding.UTF8.GetBytes(line), out var request, out var error), error);
        return await new SimulationControlHandler(host, daemonPid: 4242).HandleAsync(request!, default);
    }

    [Fact]
    public async Task The_tunnels_asked_for_are_in_the_kernel_as_the_ike_daemon_wrote_them()
    {
        var host = new SimulatedNode();
        var reply = await HandleAsync(host, """{"command":"sim.load","sas":300,"flows":200,"first":10,"src":"127.0.0.1"}""");

        Assert.True(reply.Ok, reply.Error);
        Assert.Equal(300, host.Kernel.Sas.Count);
        Assert.Equal(200, host.Kernel.Flows.Count);
        Assert.Equal(Enumerable.Range(10, 300).Select(ClusterWorkload.Spi).Order(), host.Kernel.Sas.Select(sa => sa.Spi).Order());
        Assert.All(host.Kernel.Sas, sa => Assert.Equal(IPAddress.Loopback, sa.Source));
        Assert.Equal(200, host.Kernel.Flows.Select(f => (f.SourceFlow, f.DestinationFlow)).Distinct().Count());
    }

    [Fact]
    public async Task Tunnels_that_exist_are_reported_as_the_kernel_refused_them()
    {
        var host = new SimulatedNode();
        Assert.True((await HandleAsync(host, """{"command":"sim.load","sas":5}""")).Ok);
        var again = await HandleAsync(host, """{"command":"sim.load","sas":8}""");

        Assert.False(again.Ok);
        Assert.Equal("sim.load: the kernel refused 5 of 8 messages (first errno 17)", again.Error);
        Assert.Equal(8, host.Kernel.Sas.Count);
    }

    [Theory]
    [InlineData("""{"command":"sim.load","sas":"5"}""", "sim.load: \"sas\" must be a number, not a string")]
    [InlineData("""{"command":"sim.load","sas":-1}""", "sim.load: sas and flows must be 0..500000, first 0..16777215")]
    [InlineData("""{"command":"sim.load","flows":500001}""", "sim.load: sas and flows must be 0..500000, first 0..16777215")]
    [InlineData("""{"command":"sim.load","sas":2,"first":16777215}""", "sim.load: tunnels past index 16777215")]
    [InlineData("""{"command":"sim.load","sas":1,"src":"gateway"}""", "sim.load: src \"gateway\" is not an address")]
    public async Task A_wrong_argument_is_an_error_reply_and_writes_nothing(string line, string error)
    {
        var host = new SimulatedNode();
        var reply = await HandleAsync(host, line);

        Assert.False(reply.Ok);
        Assert.Equal(error, reply.Error);
        Assert.Empty(host.Kernel.Sas);
        Assert.Empty(host.Kernel.Flows);
    }
}
