using System.Text.Json;
using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Loopback;
using Sasync.Core.Net;
using Sasync.Core.Wire;
using Sasync.Tests.Support;
using static Sasync.Tests.Integration.Scenario;

namespace Sasync.Tests.Integration;

/// <summary>
/// The extended channel over real TCP: two nodes use it by default and say so in <c>status --json</c>; a
/// replayed or altered extended frame closes its session and is counted; <c>channel legacy</c> keeps the
/// original's frames.
/// </summary>
public sealed class ExtendedChannelTests
{
    private static async Task<JsonElement> PeerJsonAsync(LoopbackClusterNode node, LoopbackClusterNode peer)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            NodeStatusJson.Write(writer, await StatusAsync(node));
        }

        return JsonDocument.Parse(buffer.ToArray()).RootElement.GetProperty("peers").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == peer.Address.ToString()).Clone();
    }

    private static async Task<string?> ChannelAsync(LoopbackClusterNode node, LoopbackClusterNode peer) =>
        (await PeerJsonAsync(node, peer)).GetProperty("channel").GetString();

    [Fact]
    public async Task Two_nodes_talk_on_the_extended_channel_by_default_sync_over_it_and_status_says_so()
    {
        await using var cluster = await StartClusterAsync();
        var (master, backup) = (cluster[1], cluster[2]);
        await Eventually.TrueAsync(async () => await ChannelAsync(master, backup) == "extended" && await ChannelAsync(backup, master) == "extended",
            "both ends report the extended channel");

        await AddTunnelsAsync(master, 0, 5);
        await ConvergedAsync(master, 5, backup);
        Assert.Equal(PeerChannel.Extended, (await StatusAsync(backup)).Sessions![master.Address.ToString()].Channel);
        Assert.Equal(0, (await StatusAsync(backup)).Engine.Counters.FramesRejected);
    }

    [Fact]
    public async Task Channel_legacy_on_one_node_keeps_both_on_the_original_frames()
    {
        await using var cluster = await StartClusterAsync(options: o => o with { NodeChannels = System.Collections.Immutable.ImmutableDictionary<int, ChannelPolicy>.Empty.Add(2, ChannelPolicy.Legacy) });
        var (master, backup) = (cluster[1], cluster[2]);
        await AddTunnelsAsync(master, 0, 3);
        await ConvergedAsync(master, 3, backup);
        Assert.Equal("legacy", await ChannelAsync(master, backup));
        Assert.Equal("legacy", await ChannelAsync(backup, master));
    }

    [Fact]
    public async Task Channel_require_refuses_an_original_peer_and_says_so()
    {
        var log = new LogCapture();
        await using var cluster = await StartClusterAsync(log: log, options: o => o with
        {
            NodeChannels = System.Collections.Immutable.ImmutableDictionary<int, ChannelPolicy>.Empty.Add(1, ChannelPolicy.Require),
        });
        var master = cluster[1];
        await StopSeenByAsync(cluster[2], master);

        // An original at node 2's address: its STATE, not a HELLO, comes first, and the node hangs up.
        await using var peer = await OriginalPeer.ConnectAsync(cluster[2].Address, master.Node!.ListenEndPoints[0], Key);
        await peer.SendAsync(ControlMessage.StateOf(RunState.Slave));
        while (await peer.ReadAsync() is { } frame)
        {
            Assert.False(frame.TryGetControl(out var control) && control.Type == ControlType.Ack, "the node never answers the original's STATE");
        }

        await Eventually.TrueAsync(() => log.Contains($"peer {cluster[2].Address}: refused: the peer is an original sasyncd"), "the refusal is logged");
        Assert.False(PeerOf(await StatusAsync(master), cluster[2]).Connected);
    }

    [Fact]
    public async Task A_replayed_or_altered_extended_frame_closes_its_session_and_is_counted_by_reason()
    {
        await using var cluster = await StartClusterAsync();
        var master = cluster[1];
        await StopSeenByAsync(cluster[2], master);
        var before = (await StatusAsync(master)).Engine.Counters.FramesRejectedByReason;

        // A sasyncd-cs peer at node 2's address upgrades, then sends a STATE twice: the second copy is a replay.
        byte[] captured;
        await using (var peer = await ExtendedPeer.ConnectAsync(cluster[2].Address, master.Node!.ListenEndPoints[0], Key))
        {
            Assert.Equal(RunState.Master, await peer.HandshakeAsync(RunState.Slave, 1001));
            await Eventually.TrueAsync(async () => await ChannelAsync(master, cluster[2]) == "extended", "the master carries the test peer extended");
            captured = await peer.SendAsync(WireMessageType.Control, ControlMessage.StateOf(RunState.Slave).ToBytes());
            await peer.SendRawAsync(captured);
            await peer.ClosedByNodeAsync();
        }

        await CountedAsync(master, before, FrameError.ExtendedSequence);

        // The same frame on a new session (other keys): refused by its tag.
        await using (var peer = await ExtendedPeer.ConnectAsync(cluster[2].Address, master.Node!.ListenEndPoints[0], Key))
        {
            await peer.HandshakeAsync(RunState.Slave, 1002);
            await peer.SendRawAsync(captured);
            await peer.ClosedByNodeAsync();
        }

        await CountedAsync(master, before, FrameError.ExtendedTag);

        // One flipped bit in the ciphertext of the next frame of a third session: refused by its tag too.
        var beforeFlip = (await StatusAsync(master)).Engine.Counters.FramesRejectedByReason;
        await using (var peer = await ExtendedPeer.ConnectAsync(cluster[2].Address, master.Node!.ListenEndPoints[0], Key))
        {
            await peer.HandshakeAsync(RunState.Slave, 1003);
            var probe = peer.Encode(WireMessageType.Control, ControlMessage.StateOf(RunState.Slave).ToBytes());
            probe[^20] ^= 0x04;
            await peer.SendRawAsync(probe);
            await peer.ClosedByNodeAsync();
        }

        await CountedAsync(master, beforeFlip, FrameError.ExtendedTag);
    }

    private static Task CountedAsync(LoopbackClusterNode node, System.Collections.Immutable.ImmutableDictionary<FrameError, long> before, FrameError error) =>
        Eventually.TrueAsync(
            async () => (await StatusAsync(node)).Engine.Counters.FramesRejectedByReason.GetValueOrDefault(error) > before.GetValueOrDefault(error),
            $"{error} is counted");
}
