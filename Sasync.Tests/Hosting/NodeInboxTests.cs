using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using Sasync.Tests.Sync;
using static Sasync.Tests.Sync.EngineHarness;

namespace Sasync.Tests.Hosting;

public sealed class NodeInboxTests
{
    [Fact]
    public async Task Carp_changes_and_daemon_answers_go_ahead_of_the_backlog_each_lane_in_its_order()
    {
        var inbox = new NodeInbox(16);
        object[] backlog = [new PeerDrained("peer-a", 1), new KernelMessagesRead([]), new PeerDrained("peer-a", 2)];
        object[] urgent = [new CarpStateChanged(LinkState.Up), new DaemonControlCompleted(DaemonKind.Isakmpd, true, null), new CarpStateChanged(LinkState.Down)];
        await inbox.WriteAsync(backlog[0], CancellationToken.None);
        await inbox.WriteAsync(backlog[1], CancellationToken.None);
        await inbox.WriteAsync(urgent[0], CancellationToken.None);
        await inbox.WriteAsync(urgent[1], CancellationToken.None);
        await inbox.WriteAsync(backlog[2], CancellationToken.None);
        await inbox.WriteAsync(urgent[2], CancellationToken.None);

        Assert.Equal([.. urgent, .. backlog], await ReadAsync(inbox, 6));
    }

    [Fact]
    public async Task An_urgent_item_gets_in_when_the_backlog_is_full_and_comes_out_first()
    {
        var inbox = new NodeInbox(2);
        Assert.True(inbox.TryWrite(new PeerDrained("peer-a", 1)));
        Assert.True(inbox.TryWrite(new PeerDrained("peer-a", 2)));
        Assert.False(inbox.TryWrite(new PeerDrained("peer-a", 3)));

        var carp = new CarpStateChanged(LinkState.Up);
        Assert.True(inbox.TryWrite(carp));

        Assert.Same(carp, (await ReadAsync(inbox, 1))[0]);
    }

    [Fact]
    public async Task A_reader_waiting_on_an_empty_inbox_wakes_for_an_urgent_item()
    {
        var inbox = new NodeInbox(4);
        using var stop = new CancellationTokenSource();
        var reading = ReadAsync(inbox, 2, stop.Token);
        var carp = new CarpStateChanged(LinkState.Up);
        await inbox.WriteAsync(carp, CancellationToken.None);
        await inbox.WriteAsync(new PeerDrained("peer-a", 1), CancellationToken.None);

        var read = await reading.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Same(carp, read[0]);
        Assert.IsType<PeerDrained>(read[1]); // the wake-up marker is not an item
    }

    [Fact]
    public async Task A_carp_change_posted_while_a_snapshot_is_paced_is_handled_before_the_remaining_chunks()
    {
        var h = new EngineHarness(s => s with { Control = DaemonControlMode.Isakmpd }, new EngineOptions { Pid = OurPid, SnapshotChunkMessages = 1 });
        h.Start(LinkState.Up);
        var request = h.AwaitSnapshot("peer-a");
        var first = h.Dumped(request, SampleKernelDump.Both);
        var drain = first.OfType<AwaitPeerDrain>().Single();
        Assert.Single(PfKeyTo("peer-a", first));

        // The loop is behind: drain notices for the next chunks wait when carp goes BACKUP.
        var inbox = new NodeInbox(16);
        await inbox.WriteAsync(new PeerDrained("peer-a", drain.SnapshotId), CancellationToken.None);
        await inbox.WriteAsync(new PeerDrained("peer-a", drain.SnapshotId), CancellationToken.None);
        await inbox.WriteAsync(new CarpStateChanged(LinkState.Down), CancellationToken.None);
        var effects = new List<EngineEffect>();
        foreach (var item in await ReadAsync(inbox, 3))
        {
            effects.AddRange(h.Handle((EngineEvent)item));
        }

        Assert.Equal(new ControlDaemon(DaemonKind.Isakmpd, false), effects.OfType<ControlDaemon>().First());
        Assert.Empty(PfKeyTo("peer-a", effects)); // the snapshot of a MASTER period that ended sends no more
        Assert.False(h.Engine.Status.Peers.Single().SendingSnapshot);
    }

    private static async Task<List<object>> ReadAsync(NodeInbox inbox, int count, CancellationToken cancellationToken = default)
    {
        var items = new List<object>();
        await foreach (var item in inbox.ReadAllAsync(cancellationToken))
        {
            items.Add(item);
            if (items.Count == count)
            {
                break;
            }
        }

        return items;
    }
}
