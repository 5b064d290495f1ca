using Sasync.Core.Config;
using Sasync.Core.PfKey;
using Sasync.Core.Sync;

namespace Sasync.Tests.Sync;

public class PeerSnapshotTests
{
    private static readonly byte[] One = [1];
    private static readonly byte[] Two = [2];

    private static SnapshotCursor EmptyCursor() =>
        new(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, new SyncFilterContext(100, FlushMode.Startup, false, []));

    [Fact]
    public void Idle_holds_nothing_and_cannot_start_sending_without_a_dump()
    {
        var snapshot = new PeerSnapshot();

        Assert.Equal(SnapshotPhase.Idle, snapshot.Phase);
        Assert.False(snapshot.HoldsChanges);
        Assert.False(snapshot.CanSendChunk);
        Assert.Throws<InvalidOperationException>(() => snapshot.StartSending(EmptyCursor()));
    }

    [Fact]
    public void Awaiting_a_dump_holds_changes_and_knows_its_dump()
    {
        var snapshot = new PeerSnapshot();
        snapshot.AwaitDump(7);

        Assert.Equal(SnapshotPhase.AwaitingDump, snapshot.Phase);
        Assert.True(snapshot.HoldsChanges);
        Assert.True(snapshot.IsAwaiting(7));
        Assert.False(snapshot.IsAwaiting(8));
        Assert.False(snapshot.CanSendChunk);
    }

    [Fact]
    public void Sending_waits_for_the_drain_it_asked_for_and_no_other()
    {
        var snapshot = new PeerSnapshot();
        snapshot.AwaitDump(7);
        snapshot.StartSending(EmptyCursor());
        Assert.True(snapshot.CanSendChunk);

        snapshot.AwaitDrain();
        Assert.False(snapshot.CanSendChunk);
        Assert.False(snapshot.Drained(6));
        Assert.False(snapshot.CanSendChunk);
        Assert.True(snapshot.Drained(7));
        Assert.True(snapshot.CanSendChunk);
        Assert.False(snapshot.IsAwaiting(7));
    }

    [Fact]
    public void Held_changes_are_bounded_and_come_back_in_order_when_it_is_sent()
    {
        var snapshot = new PeerSnapshot();
        snapshot.AwaitDump(1);
        Assert.True(snapshot.TryHold(One, 2));
        snapshot.StartSending(EmptyCursor());
        Assert.True(snapshot.TryHold(Two, 2));
        Assert.False(snapshot.TryHold(One, 2));

        var held = snapshot.Finish();

        Assert.Equal([One, Two], held.Select(m => m.ToArray()));
        Assert.Equal(SnapshotPhase.Sent, snapshot.Phase);
        Assert.False(snapshot.HoldsChanges);
        Assert.Equal(0, snapshot.HeldCount);
    }

    [Fact]
    public void A_restart_drops_the_cursor_and_the_held_changes_but_keeps_the_drain_it_waits_for()
    {
        var snapshot = new PeerSnapshot();
        snapshot.AwaitDump(1);
        snapshot.StartSending(EmptyCursor());
        snapshot.AwaitDrain();
        snapshot.TryHold(One, 4);

        var dropped = snapshot.Restart(2);

        Assert.Equal([One], dropped.Select(m => m.ToArray()));
        Assert.Equal(1, snapshot.Restarts);
        Assert.True(snapshot.IsAwaiting(2));
        Assert.Null(snapshot.Cursor);
        Assert.Equal(0, snapshot.HeldCount);
        snapshot.StartSending(EmptyCursor());
        Assert.False(snapshot.CanSendChunk); // the chunk of the first attempt has not drained yet
        Assert.True(snapshot.Drained(1));
        Assert.True(snapshot.CanSendChunk);
    }

    [Fact]
    public void A_failed_dump_gives_up_for_this_period_and_hands_the_changes_back()
    {
        var snapshot = new PeerSnapshot();
        snapshot.AwaitDump(1);
        snapshot.TryHold(One, 4);

        Assert.Equal([One], snapshot.GiveUp().Select(m => m.ToArray()));
        Assert.Equal(SnapshotPhase.Sent, snapshot.Phase);
        Assert.False(snapshot.HoldsChanges);
    }

    [Fact]
    public void Leaving_MASTER_resets_to_idle_from_any_phase()
    {
        var snapshot = new PeerSnapshot();
        snapshot.AwaitDump(1);
        snapshot.StartSending(EmptyCursor());
        snapshot.TryHold(Two, 4);
        snapshot.Restart(2);
        snapshot.TryHold(One, 4);

        Assert.Equal([One], snapshot.Reset().Select(m => m.ToArray()));
        Assert.Equal(SnapshotPhase.Idle, snapshot.Phase);
        Assert.Equal(0, snapshot.Restarts);
        Assert.Null(snapshot.Cursor);
    }
}
