using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core;
using Sasync.Core.Hosting;
using Sasync.Core.Wire;
using Sasync.Tests.Support;
using static Sasync.Tests.Integration.Scenario;

namespace Sasync.Tests.Integration;

/// <summary>A peer that stops reading is dropped once its send queue is full; memory stays bounded and a real node resyncs later.</summary>
public sealed class SlowPeerTests
{
    private const int Batch = 500;
    private const int MaxSas = 20_000;

    [Fact]
    public async Task A_peer_that_never_reads_is_dropped_and_a_real_node_at_its_address_resyncs()
    {
        await using var cluster = await LoopbackCluster.StartAsync(
            new LoopbackClusterOptions { SharedKey = Key, Nodes = 2, MaxQueuedBytesPerPeer = 32 * 1024 },
            NullLoggerFactory.Instance,
            default);
        var (master, backup) = (cluster[1], cluster[2]);
        await backup.StopAsync();
        await RelayingAsync(master);

        // An original peer at the backup's address asks for the snapshot, then never reads a byte.
        await using (var stuck = await OriginalPeer.ConnectAsync(backup.Address, master.Node!.ListenEndPoints[0], Key, receiveBufferSize: 1024))
        {
            await stuck.SendAsync(ControlMessage.StateOf(RunState.Slave));
            await Eventually.TrueAsync(async () => PeerOf(await StatusAsync(master), backup).PeerRunState == RunState.Slave, "the master knows the stuck peer");

            var added = 0;
            while ((await StatusAsync(master)).SlowPeerDrops == 0 && added < MaxSas)
            {
                await AddTunnelsAsync(master, added, Batch, withFlows: false);
                added += Batch;
                await KernelMessagesSeenAsync(master, added);
            }

            var status = await StatusAsync(master);
            Assert.True(status.SlowPeerDrops > 0, $"no drop after {added} SAs");
            Assert.Equal(RunState.Master, status.Engine.RunState);
            await Eventually.TrueAsync(async () => !PeerOf(await StatusAsync(master), backup).Connected, "the stuck peer's session is closed");
        }

        await backup.StartAsync(default);
        await ConvergedAsync(master, master.Host.Kernel.Sas.Count, backup);
        Assert.True(PeerOf(await StatusAsync(master), backup).Connected);
    }
}
