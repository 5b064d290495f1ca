using Sasync.Core;
using Sasync.Core.Simulation;
using Sasync.Core.Wire;
using Sasync.Tests.Support;
using static Sasync.Tests.Integration.Scenario;

namespace Sasync.Tests.Integration;

/// <summary>A peer that stops reading is dropped once its send queue is full; memory stays bounded and a real node resyncs later.</summary>
public sealed class SlowPeerTests
{
    private const int Tunnels = 20;
    private const int Batch = 200;
    private const int MaxChurn = 50_000;

    [Fact]
    public async Task A_peer_that_never_reads_is_dropped_and_a_real_node_at_its_address_resyncs()
    {
        await using var cluster = await StartClusterAsync(options: o => o with { MaxQueuedBytesPerPeer = 64 * 1024 });
        var (master, backup) = (cluster[1], cluster[2]);
        await StopSeenByAsync(backup, master);
        await RelayingAsync(master);
        await AddTunnelsAsync(master, 0, Tunnels);

        // An original peer at the backup's address asks for the snapshot, then never reads a byte.
        var snapshotsBefore = PeerOf(await StatusAsync(master), backup).SnapshotsSent;
        await using (var stuck = await OriginalPeer.ConnectAsync(backup.Address, master.Node!.ListenEndPoints[0], Key, receiveBufferSize: 1024))
        {
            await stuck.SendAsync(ControlMessage.StateOf(RunState.Slave));
            await Eventually.TrueAsync(async () => PeerOf(await StatusAsync(master), backup).SnapshotsSent == snapshotsBefore + 1, "the master sent the stuck peer its snapshot");

            // SAs that come and go: the relays pile up for the stuck peer while the SADB stays small.
            var churned = 0;
            var seen = (await StatusAsync(master)).Engine.Counters.KernelMessagesSeen;
            while ((await StatusAsync(master)).SlowPeerDrops == 0 && churned < MaxChurn)
            {
                for (var i = 0; i < Batch; i++)
                {
                    await AddTunnelsAsync(master, 1000, 1, withFlows: false);
                    await DeleteTunnelSaAsync(master, 1000);
                }

                churned += Batch;
                seen += 2 * Batch;
                await KernelMessagesSeenAsync(master, seen);
            }

            var status = await StatusAsync(master);
            Assert.True(status.SlowPeerDrops > 0, $"no drop after {churned} SAs came and went");
            Assert.Equal(RunState.Master, status.Engine.RunState);
            await Eventually.TrueAsync(async () => !PeerOf(await StatusAsync(master), backup).Connected, "the stuck peer's session is closed");
        }

        await backup.StartAsync(default);
        await ConvergedAsync(master, Tunnels, backup);
        await Eventually.TrueAsync(async () => (await StatusAsync(backup)) is var s && PeerOf(s, master).SnapshotsReceived >= 1, "the real node took a whole snapshot");
        Assert.True(PeerOf(await StatusAsync(master), backup).Connected);
    }

    [Fact]
    public async Task A_snapshot_many_times_larger_than_the_send_budget_arrives_paced_without_a_drop()
    {
        // About 1.1 MB of snapshot against a 64 KiB budget: sent whole, it would get the peer dropped.
        const int tunnels = 2000;
        await using var cluster = await StartClusterAsync(options: o => o with
        {
            MaxQueuedBytesPerPeer = 64 * 1024,
            KernelOptions = new SimulatedKernelOptions { ClientQueueCapacity = 8 * tunnels }, // no copy lost to a full socket
        });
        var (master, backup) = (cluster[1], cluster[2]);
        await StopSeenByAsync(backup, master);
        await AddTunnelsAsync(master, 0, tunnels);
        // Only the snapshot counts: relays to a half-open session from the backup's last moments
        // (a connect that completed as it stopped) may overflow before that session is seen to fail.
        await KernelMessagesSeenAsync(master, 2 * tunnels);
        var dropsBefore = (await StatusAsync(master)).SlowPeerDrops;

        await backup.StartAsync(default);
        await ConvergedAsync(master, tunnels, backup);
        await Eventually.TrueAsync(() => backup.Host.Kernel.FlowCount == tunnels, "the backup has every flow");
        await Eventually.TrueAsync(async () => PeerOf(await StatusAsync(backup), master).SnapshotsReceived >= 1, "the backup took the whole snapshot");
        Assert.Equal(dropsBefore, (await StatusAsync(master)).SlowPeerDrops);
    }
}
