using Sasync.Core.PfKey;
using Sasync.Core.Sync.Digest;

namespace Sasync.Core.Sync;

/// <summary>Where the snapshot to one peer stands during our MASTER period.</summary>
internal enum SnapshotPhase
{
    /// <summary>None yet: the peer's state is unknown, or we are not MASTER.</summary>
    Idle,

    /// <summary>Resync by digest: the peer's digest of its kernel is awaited; our dump's digest is asked for meanwhile.</summary>
    AwaitingDigest,

    /// <summary>The kernel dump it will be made from (or, with the peer's digest in, our dump's digest) was asked for.</summary>
    AwaitingDump,

    /// <summary>Going out in chunks from a cursor fed by the dump as it is read, each once the peer drained.</summary>
    Sending,

    /// <summary>Sent with its ENDSNAP, or given up on a failed dump: nothing more this MASTER period.</summary>
    Sent,
}

/// <summary>
/// The snapshot to one peer as one state: its phase, the dump it waits for or is sent from, the
/// drain report it waits for, and the relayed changes held back while it is under way (they must
/// follow it, before ENDSNAP). Every change of phase goes through a method here, and every one that
/// leaves <see cref="SnapshotPhase.Sending"/> releases the dump chunks the cursor still holds.
/// </summary>
internal sealed class PeerSnapshot
{
    private readonly List<ReadOnlyMemory<byte>> _held = [];
    private bool _dumpEnded;

    public SnapshotPhase Phase { get; private set; }

    /// <summary>The id of the dump waited for (<see cref="SnapshotPhase.AwaitingDump"/>) or sent from (<see cref="SnapshotPhase.Sending"/>).</summary>
    public long DumpId { get; private set; }

    /// <summary>The dump <see cref="DumpId"/> is asked for its digest only (M1, M2), not for records to send.</summary>
    public bool DumpForDigest { get; private set; }

    /// <summary>What is left to send; only while <see cref="SnapshotPhase.Sending"/>.</summary>
    public SnapshotCursor? Cursor { get; private set; }

    /// <summary>
    /// The id an <see cref="AwaitPeerDrain"/> went out with and whose answer has not come. It outlives
    /// a restart: the chunk it paces may still be queued, so the next one waits for it too.
    /// </summary>
    public long? DrainAwaited { get; private set; }

    /// <summary>How often this snapshot started over because too many changes were held.</summary>
    public int Restarts { get; private set; }

    /// <summary>The MASTER period (our announcements on the session) whose digest is awaited; only while <see cref="SnapshotPhase.AwaitingDigest"/>.</summary>
    public uint DigestEpoch { get; private set; }

    /// <summary>The round of the digest timer at whose end the wait gives up; only while <see cref="SnapshotPhase.AwaitingDigest"/>.</summary>
    public long DigestRound { get; private set; }

    /// <summary>The peer's digest the dump is to be compared with; null for a full snapshot.</summary>
    public SnapshotDigest? PeerDigest { get; private set; }

    /// <summary>Our dump's digest (its completion), when it came before the peer's digest; only while <see cref="SnapshotPhase.AwaitingDigest"/>.</summary>
    public KernelDumpCompleted? OwnDigest { get; private set; }

    /// <summary>Relayed changes wait here instead of going out: the snapshot is under way.</summary>
    public bool HoldsChanges => Phase is SnapshotPhase.AwaitingDigest or SnapshotPhase.AwaitingDump or SnapshotPhase.Sending;

    /// <summary>The next chunk may go out now: sending, and no drain report outstanding.</summary>
    public bool CanSendChunk => Phase == SnapshotPhase.Sending && DrainAwaited is null;

    public int HeldCount => _held.Count;

    /// <summary>
    /// The dump asked for (<see cref="DumpId"/>) whose completion has not come while the snapshot still counts on it:
    /// what a change of phase that no longer waits for it leaves the host reading for nothing.
    /// </summary>
    public long? UnfinishedDump =>
        !_dumpEnded && (Phase is SnapshotPhase.AwaitingDigest or SnapshotPhase.AwaitingDump or SnapshotPhase.Sending) ? DumpId : null;

    /// <summary>The completion of the dump <see cref="DumpId"/> came (with its records, its digest or its failure).</summary>
    public void DumpEnded() => _dumpEnded = true;

    /// <summary>FLUSH, ADD and X_ADDFLOW messages this snapshot has sent, over its restarts; not held changes or ENDSNAP.</summary>
    public long MessagesSent { get; private set; }

    /// <summary>A chunk of <paramref name="messages"/> snapshot messages went out.</summary>
    public void CountSent(int messages) => MessagesSent += messages;

    /// <summary>Idle, Sent or AwaitingDigest (no digest in time) → AwaitingDump, for a full snapshot. Changes held so far are kept.</summary>
    public void AwaitDump(long dumpId)
    {
        if (Phase is SnapshotPhase.Idle or SnapshotPhase.Sent)
        {
            MessagesSent = 0;
        }

        Phase = SnapshotPhase.AwaitingDump;
        DumpId = dumpId;
        _dumpEnded = false;
        DumpForDigest = false;
        DropCursor();
        PeerDigest = null;
        OwnDigest = null;
    }

    /// <summary>
    /// Idle → AwaitingDigest: the peer's digest for <paramref name="epoch"/> is awaited, at the latest until the
    /// end of <paramref name="round"/>, and our dump <paramref name="dumpId"/> meanwhile.
    /// </summary>
    public void AwaitDigest(uint epoch, long round, long dumpId)
    {
        if (Phase != SnapshotPhase.Idle)
        {
            throw new InvalidOperationException($"a snapshot in phase {Phase} cannot wait for a digest");
        }

        Phase = SnapshotPhase.AwaitingDigest;
        MessagesSent = 0;
        DigestEpoch = epoch;
        DigestRound = round;
        DumpId = dumpId;
        _dumpEnded = false;
        DumpForDigest = true;
        DropCursor();
        PeerDigest = null;
        OwnDigest = null;
    }

    /// <summary>Whether <paramref name="epoch"/>'s digest is the one awaited.</summary>
    public bool IsAwaitingDigest(uint epoch) => Phase == SnapshotPhase.AwaitingDigest && DigestEpoch == epoch;

    /// <summary>Our dump's digest came while the peer's is still awaited: it waits here.</summary>
    public void KeepDigest(KernelDumpCompleted ours)
    {
        if (Phase != SnapshotPhase.AwaitingDigest)
        {
            throw new InvalidOperationException($"a snapshot in phase {Phase} does not keep a digest");
        }

        OwnDigest = ours;
    }

    /// <summary>Moves the end of the wait for the peer's digest to the end of <paramref name="round"/>.</summary>
    public void WaitUntilRound(long round)
    {
        if (Phase != SnapshotPhase.AwaitingDigest)
        {
            throw new InvalidOperationException($"a snapshot in phase {Phase} does not wait for a digest");
        }

        DigestRound = round;
    }

    /// <summary>
    /// AwaitingDigest → AwaitingDump: with the peer's <paramref name="digest"/> to compare ours with (still awaiting
    /// our digest dump), or none (the wait is over: the caller asks for a full snapshot's dump). Returns our digest
    /// when it came already, to go on from at once.
    /// </summary>
    public KernelDumpCompleted? StopWaitingForDigest(SnapshotDigest? digest)
    {
        if (Phase != SnapshotPhase.AwaitingDigest)
        {
            throw new InvalidOperationException($"a snapshot in phase {Phase} was not waiting for a digest");
        }

        var ours = OwnDigest;
        Phase = SnapshotPhase.AwaitingDump;
        PeerDigest = digest;
        OwnDigest = null;
        return ours;
    }

    /// <summary>
    /// AwaitingDigest, AwaitingDump or Sending → AwaitingDump from a fresh dump for a full snapshot, dropping
    /// the cursor, the peer's digest and the held changes, which are returned: the fresh dump holds what
    /// they did, except what they removed.
    /// </summary>
    public List<ReadOnlyMemory<byte>> Restart(long dumpId)
    {
        var held = TakeHeld();
        Restarts++;
        AwaitDump(dumpId);
        return held;
    }

    /// <summary>Whether this is the dump whose end (or digest) the snapshot waits for.</summary>
    public bool IsAwaiting(long dumpId) =>
        DumpId == dumpId && Phase switch
        {
            SnapshotPhase.AwaitingDump => true,
            SnapshotPhase.AwaitingDigest => OwnDigest is null,
            SnapshotPhase.Sending => !Cursor!.Ended,
            _ => false,
        };

    /// <summary>Whether a chunk of this dump is one to send from: the records dump awaited or being sent.</summary>
    public bool TakesChunksOf(long dumpId) =>
        DumpId == dumpId && !DumpForDigest && (Phase == SnapshotPhase.AwaitingDump || (Phase == SnapshotPhase.Sending && !Cursor!.Ended));

    /// <summary>AwaitingDump → Sending from <paramref name="cursor"/>, which the dump's chunks feed from now on.</summary>
    public void StartSending(SnapshotCursor cursor)
    {
        if (Phase != SnapshotPhase.AwaitingDump || DumpForDigest)
        {
            throw new InvalidOperationException($"a snapshot in phase {Phase} cannot start sending");
        }

        Phase = SnapshotPhase.Sending;
        Cursor = cursor;
        PeerDigest = null;
    }

    /// <summary>A chunk went out and more is left: wait for the peer to drain.</summary>
    public void AwaitDrain() => DrainAwaited = DumpId;

    /// <summary>The drain report for <paramref name="snapshotId"/> came; false when it is not the one awaited.</summary>
    public bool Drained(long snapshotId)
    {
        if (DrainAwaited != snapshotId)
        {
            return false;
        }

        DrainAwaited = null;
        return true;
    }

    /// <summary>
    /// Keeps a copy of a relayed change for after the snapshot; false when <paramref name="limit"/> are held already.
    /// A copy, as the message may slice a kernel read buffer that the host reads into again once the message is handled.
    /// </summary>
    public bool TryHold(ReadOnlyMemory<byte> message, int limit)
    {
        if (_held.Count >= limit)
        {
            return false;
        }

        _held.Add(message.ToArray());
        return true;
    }

    /// <summary>
    /// AwaitingDump → Sent without a single SA message: the dump's digest equals the peer's. Returns
    /// the held changes, to send before the ENDSNAP that follows.
    /// </summary>
    public List<ReadOnlyMemory<byte>> FinishUnchanged()
    {
        if (Phase != SnapshotPhase.AwaitingDump || PeerDigest is null)
        {
            throw new InvalidOperationException($"a snapshot in phase {Phase} without a peer digest cannot finish unchanged");
        }

        Phase = SnapshotPhase.Sent;
        PeerDigest = null;
        return TakeHeld();
    }

    /// <summary>Sending → Sent (the cursor is done, ENDSNAP follows); returns the held changes to send before it.</summary>
    public List<ReadOnlyMemory<byte>> Finish()
    {
        Phase = SnapshotPhase.Sent;
        OwnDigest = null;
        DropCursor();
        return TakeHeld();
    }

    /// <summary>
    /// AwaitingDump, AwaitingDigest or Sending → Sent without a (whole) snapshot: the dump failed, also midway,
    /// and no ENDSNAP may follow. Returns the held changes, to send as they are.
    /// </summary>
    public List<ReadOnlyMemory<byte>> GiveUp()
    {
        Phase = SnapshotPhase.Sent;
        OwnDigest = null;
        DropCursor();
        return TakeHeld();
    }

    /// <summary>Any → Idle (we stopped being MASTER, or the session ended); returns the held changes, to send as they are.</summary>
    public List<ReadOnlyMemory<byte>> Reset()
    {
        Phase = SnapshotPhase.Idle;
        DropCursor();
        PeerDigest = null;
        OwnDigest = null;
        Restarts = 0;
        return TakeHeld();
    }

    // The chunks it holds go back to the host, which reads on (a dump dropped midway is read to its end and dropped).
    private void DropCursor()
    {
        Cursor?.Dispose();
        Cursor = null;
    }

    private List<ReadOnlyMemory<byte>> TakeHeld()
    {
        var held = new List<ReadOnlyMemory<byte>>(_held);
        _held.Clear();
        return held;
    }
}
