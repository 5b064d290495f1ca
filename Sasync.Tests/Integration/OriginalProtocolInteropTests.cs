using System.Net;
using Sasync.Core;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Core.Wire;
using Sasync.Tests.Support;
using static Sasync.Tests.Integration.Scenario;

namespace Sasync.Tests.Integration;

/// <summary>A node against a peer that speaks the original protocol frame by frame, in both roles.</summary>
public sealed class OriginalProtocolInteropTests
{
    private static async Task<PfKeyMessage> ReadPfKeyAsync(OriginalPeer peer)
    {
        var frame = await peer.ReadAsync();
        Assert.NotNull(frame);
        Assert.Equal(WireMessageType.PfKey, frame.Value.Type);
        Assert.True(PfKeyMessage.TryParse(frame.Value.Plaintext, out var message, out var error), error.ToString());
        return message;
    }

    [Fact]
    public async Task A_hello_is_consumed_by_the_network_never_answered_and_never_counted_as_a_bad_frame()
    {
        await using var cluster = await StartClusterAsync();
        var master = cluster[1];
        await StopSeenByAsync(cluster[2], master);
        var rejectedBefore = (await StatusAsync(master)).Engine.Counters.FramesRejected;

        // A version-1 sasyncd-cs peer at 127.0.0.2 opens with its HELLO, then the STATE exchange.
        await using var peer = await OriginalPeer.ConnectAsync(cluster[2].Address, master.Node!.ListenEndPoints[0], Key);
        Assert.True(new FrameEncoder(Key).TryEncode(WireMessageType.Control, new HelloMessage(1, 0, 42).ToBytes(), out byte[]? hello, out _));
        await peer.SendRawAsync(hello);
        // The node's first frames are its own HELLO, its STATE and the ACK of ours: no ERROR about the HELLO.
        Assert.Equal(RunState.Master, await peer.HandshakeAsync(RunState.Slave));
        Assert.Equal(1, peer.HellosIgnored);
        Assert.Equal(SadbMessageType.Flush, (await ReadPfKeyAsync(peer)).Type);
        Assert.Equal(rejectedBefore, (await StatusAsync(master)).Engine.Counters.FramesRejected);
    }

    [Fact]
    public async Task The_extended_channel_offer_changes_nothing_for_an_original_every_later_frame_is_legacy_and_no_finished_comes()
    {
        await using var cluster = await StartClusterAsync();
        var master = cluster[1];
        await StopSeenByAsync(cluster[2], master);
        await AddTunnelsAsync(master, 0, 2);
        await KernelMessagesSeenAsync(master, 4);

        await using var peer = await OriginalPeer.ConnectAsync(cluster[2].Address, master.Node!.ListenEndPoints[0], Key);
        // The node offers (HELLO v2 with the extended-channel bit) as to anyone; an original ignores the unknown type.
        var first = await peer.ReadAnyAsync();
        Assert.True(first is { Type: WireMessageType.Control } && HelloMessage.TryRead(first.Value.Plaintext, out var hello)
            && hello.HasNonce && (hello.Offers & HelloCapabilities.ExtendedChannel) != 0);
        Assert.Equal(RunState.Master, await peer.HandshakeAsync(RunState.Slave));

        // The rest is the original's protocol, decoded by the original's frame reader: the snapshot, then ENDSNAP.
        List<DecodedFrame> frames = [];
        while (frames.Count == 0 || !frames[^1].TryGetControl(out var end) || end != ControlMessage.EndSnapshot)
        {
            var frame = await peer.ReadAnyAsync();
            Assert.NotNull(frame);
            frames.Add(frame.Value);
        }

        Assert.DoesNotContain(frames, f => f.Type == WireMessageType.Control && (FinishedMessage.IsFinished(f.Plaintext) || HelloMessage.IsHello(f.Plaintext)));
        // FLUSH, two ADDs and two X_ADDFLOWs.
        Assert.Equal(5, frames.Count(f => f.Type == WireMessageType.PfKey));
        Assert.Equal(Core.Net.PeerChannel.Legacy, (await StatusAsync(master)).Sessions![cluster[2].Address.ToString()].Channel);
    }

    [Fact]
    public async Task A_master_sends_an_original_slave_the_snapshot_in_order_then_live_changes()
    {
        await using var cluster = await StartClusterAsync();
        var master = cluster[1];
        await StopSeenByAsync(cluster[2], master);
        await RelayingAsync(master);
        await AddTunnelsAsync(master, 0, 3);
        await KernelMessagesSeenAsync(master, 6);

        // Node 2 may have had its snapshot before it stopped.
        var snapshotsBefore = PeerOf(await StatusAsync(master), cluster[2]).SnapshotsSent;

        // The original sasyncd at 127.0.0.2 (a configured peer of node 1) connects and reports SLAVE.
        await using var peer = await OriginalPeer.ConnectAsync(cluster[2].Address, master.Node!.ListenEndPoints[0], Key);
        Assert.Equal(RunState.Master, await peer.HandshakeAsync(RunState.Slave));

        var flush = await ReadPfKeyAsync(peer);
        Assert.Equal(SadbMessageType.Flush, flush.Type);
        List<uint> spis = [];
        for (var i = 0; i < 3; i++)
        {
            var add = await ReadPfKeyAsync(peer);
            Assert.Equal(SadbMessageType.Add, add.Type);
            Assert.True(add.TryGetSa(out var sa));
            Assert.Equal(SadbSaState.Mature, sa.State);
            spis.Add(sa.Spi);
        }

        Assert.Equal([SpiOf(0), SpiOf(1), SpiOf(2)], spis.Order());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(SadbMessageType.XAddFlow, (await ReadPfKeyAsync(peer)).Type);
        }

        Assert.Equal(ControlMessage.EndSnapshot, await peer.ReadControlAsync());

        // After the snapshot, what the IKE daemon writes on the master is relayed as it happens.
        await AddTunnelsAsync(master, 10, 1);
        var live = await ReadPfKeyAsync(peer);
        Assert.Equal(SadbMessageType.Add, live.Type);
        Assert.True(live.TryGetSa(out var liveSa));
        Assert.Equal(SpiOf(10), liveSa.Spi);
        Assert.Equal(SadbMessageType.XAddFlow, (await ReadPfKeyAsync(peer)).Type);

        var status = await StatusAsync(master);
        var seen = PeerOf(status, cluster[2]);
        Assert.True(seen.Connected);
        Assert.Equal(RunState.Slave, seen.PeerRunState);
        Assert.Equal(snapshotsBefore + 1, seen.SnapshotsSent);
    }

    [Fact]
    public async Task A_backup_takes_the_snapshot_of_an_original_master_and_undemotes()
    {
        await using var cluster = await StartClusterAsync(options: o => o with { FirstNodeCarp = LinkState.Down });
        await StopSeenByAsync(cluster[1], cluster[2]);
        var backup = cluster[2];

        // The original sasyncd at 127.0.0.1 is MASTER and sends its SADB and SPD.
        await using var peer = await OriginalPeer.ConnectAsync(cluster[1].Address, backup.Node!.ListenEndPoints[0], Key);
        Assert.Equal(RunState.Slave, await peer.HandshakeAsync(RunState.Master));
        await peer.SendPfKeyAsync(new PfKeyMessageBuilder(SadbMessageType.Flush, SadbSaType.Unspec, 1, 4242).Build());
        await peer.SendPfKeyAsync(IkeDaemonMessages.AddEspSa(4242, 2, 0x5001, cluster[1].Address, RemoteGateway));
        await peer.SendPfKeyAsync(IkeDaemonMessages.AddFlow(4242, 3, IkeDaemonMessages.Network(7), IkeDaemonMessages.Network(1007), RemoteGateway));
        await peer.SendAsync(ControlMessage.EndSnapshot);

        await Eventually.TrueAsync(() => backup.Host.Kernel.Sas.Count == 1 && backup.Host.Kernel.Flows.Count == 1, "the backup's kernel has the master's SA and flow");
        var sa = Assert.Single(backup.Host.Kernel.Sas);
        Assert.Equal(0x5001u, sa.Spi);
        Assert.Equal(SadbSaState.Mature, sa.State);
        Assert.True(sa.HasEncryptionKey && sa.HasAuthenticationKey);
        await Eventually.TrueAsync(
            async () => (await StatusAsync(backup)) is var s && !s.Engine.Demotion.Held && PeerOf(s, cluster[1]).SnapshotsReceived == 1,
            "the backup counted the snapshot and released its demotion");
        Assert.Equal(0, backup.Host.CarpGroup.Get("carp"));
        Assert.False(backup.Host.DaemonControl.IsActive);
    }
}
