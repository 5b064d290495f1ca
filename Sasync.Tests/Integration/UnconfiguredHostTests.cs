using Sasync.Core;
using Sasync.Core.Loopback;
using Sasync.Tests.Support;
using static Sasync.Tests.Integration.Scenario;

namespace Sasync.Tests.Integration;

/// <summary>A host that is no configured peer is refused even when it knows the key.</summary>
public sealed class UnconfiguredHostTests
{
    [Fact]
    public async Task A_stranger_is_disconnected_counted_and_gets_no_sas()
    {
        var log = new LogCapture();
        await using var cluster = await StartClusterAsync(2, log);
        var master = cluster[1];
        await AddTunnelsAsync(master, 0, 2);
        await ConvergedAsync(master, 2, cluster[2]);

        await using var stranger = await OriginalPeer.ConnectAsync(LoopbackPorts.Node(9), master.Node!.ListenEndPoints[0], Key);
        await stranger.SendAsync(Core.Wire.ControlMessage.StateOf(RunState.Slave));
        Assert.Null(await stranger.ReadAsync());

        var status = await StatusAsync(master);
        Assert.True(status.RefusedConnections > 0);
        Assert.DoesNotContain(status.Engine.Peers, p => p.Name.Contains("127.0.0.9", StringComparison.Ordinal));
        Assert.True(log.Contains("refusing connection from 127.0.0.9: not a configured peer"));

        // The configured backup is not disturbed.
        await AddTunnelsAsync(master, 5, 1);
        await ConvergedAsync(master, 3, cluster[2]);
        Assert.True(PeerOf(await StatusAsync(master), cluster[2]).Connected);
    }
}
