using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>
/// What <see cref="SyncNode"/>'s loop handles, in two lanes: a few kinds of item (<see cref="IsUrgent"/>)
/// go ahead of everything else, which keeps its order in a bounded queue that gives the peers and the
/// kernel backpressure.
/// </summary>
/// <remarks>
/// Under a snapshot the ordinary lane holds up to its capacity of frame batches, kernel reads and drain
/// notices, seconds of work on a busy host; a failover must not wait for them. Only items of independent
/// sources are reordered, each lane keeping its own order, so the loop sees what it could have seen had
/// the urgent item come a moment earlier: frames of a MASTER that has meanwhile stepped down or been
/// outranked are refused as they would be then, and the resync after the failover carries the state.
/// </remarks>
internal sealed class NodeInbox
{
    // Put in the ordinary lane after an urgent item, so that a loop waiting on an empty inbox wakes up.
    private static readonly object Wake = new();

    private readonly ConcurrentQueue<object> _urgent = new();
    private readonly Channel<object> _ordinary;

    /// <summary>An inbox whose ordinary lane holds at most <paramref name="capacity"/> items.</summary>
    public NodeInbox(int capacity) =>
        _ordinary = Channel.CreateBounded<object>(new BoundedChannelOptions(capacity) { SingleReader = true });

    /// <summary>
    /// The items that go ahead of the backlog: the engine's start (before any carp change), carp changes, the IKE
    /// daemons' answers (the next daemon call waits for them) and status requests (they change nothing).
    /// </summary>
    public static bool IsUrgent(object item) =>
        item is EngineStarted or CarpStateChanged or DaemonControlCompleted or SyncNode.StatusRequest;

    /// <summary>Queues an item; waits while the ordinary lane is full (never for an urgent one).</summary>
    public ValueTask WriteAsync(object item, CancellationToken cancellationToken) =>
        TryWrite(item) ? ValueTask.CompletedTask : _ordinary.Writer.WriteAsync(item, cancellationToken);

    /// <summary>Queues an item unless it would have to wait for room.</summary>
    public bool TryWrite(object item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!IsUrgent(item))
        {
            return _ordinary.Writer.TryWrite(item);
        }

        _urgent.Enqueue(item);
        // A full lane needs no wake-up: the loop is not waiting, and it looks at the urgent lane before each item.
        _ordinary.Writer.TryWrite(Wake);
        return true;
    }

    /// <summary>The items in the order the loop handles them: every urgent item before the next ordinary one.</summary>
    public async IAsyncEnumerable<object> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ordinary = _ordinary.Reader;
        while (await ordinary.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (true)
            {
                if (_urgent.TryDequeue(out var urgent))
                {
                    yield return urgent;
                }
                else if (ordinary.TryRead(out var item))
                {
                    if (!ReferenceEquals(item, Wake))
                    {
                        yield return item;
                    }
                }
                else
                {
                    break;
                }
            }
        }
    }
}
