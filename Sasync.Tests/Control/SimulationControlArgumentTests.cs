using Sasync.Core.Control;
using Sasync.Core.Hosting;
using Sasync.Core.Simulation;

namespace Sasync.Tests.Control;

/// <summary>The simulated platform's commands check their arguments' types before using them.</summary>
public sealed class SimulationControlArgumentTests
{
    private static async Task<ControlReply> HandleAsync(string line)
    {
        Assert.True(ControlLineProtocol.TryParseRequest(System.Text.Encoding.UTF8.GetBytes(line), out var request, out var error), error);
        return await new SimulationControlHandler(new SimulatedNode(), daemonPid: 4242).HandleAsync(request!, default);
    }

    [Theory]
    [InlineData("{\"command\":\"sim.inject\",\"hex\":\"0203\",\"pid\":\"1\"}", "sim.inject: \"pid\" must be a number, not a string")]
    [InlineData("{\"command\":\"sim.inject\",\"hex\":\"0203\",\"pid\":1e400}", "sim.inject: \"pid\" must be a whole number")]
    [InlineData("{\"command\":\"sim.inject\",\"hex\":\"0203\",\"pid\":4294967296}", "sim.inject: pid must be a positive number")]
    [InlineData("{\"command\":\"sim.inject\",\"hex\":\"0203\",\"pid\":4242}", "sim.inject: pid must be a positive number other than the daemon's (4242)")]
    [InlineData("{\"command\":\"sim.inject\",\"hex\":515}", "sim.inject: \"hex\" must be a string, not a number")]
    [InlineData("{\"command\":\"sim.inject\"}", "sim.inject: hex must hold a PF_KEY message")]
    [InlineData("{\"command\":\"sim.inject\",\"hex\":\"0g\"}", "sim.inject: hex must be an even number of hex digits")]
    [InlineData("{\"command\":\"sim.carp\",\"state\":[\"master\"]}", "sim.carp: \"state\" must be a string, not an array")]
    [InlineData("{\"command\":\"sim.carp\",\"state\":\"MASTER\"}", "sim.carp: state must be master, backup or init")]
    public async Task A_wrong_argument_is_an_error_reply_naming_it(string line, string error)
    {
        var reply = await HandleAsync(line);

        Assert.False(reply.Ok);
        Assert.StartsWith(error, reply.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_hex_argument_is_refused_before_it_is_decoded()
    {
        var reply = await HandleAsync($"{{\"command\":\"sim.inject\",\"hex\":\"{new string('0', 2 * SimulatedKernel.MaxMessageSize + 2)}\"}}");

        Assert.StartsWith("sim.inject: hex must hold a PF_KEY message of 16 to", reply.Error, StringComparison.Ordinal);
    }
}
