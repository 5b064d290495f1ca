namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// The simulation's only source of progress: actions ordered by (due time, sequence number), run one
/// at a time on the caller's thread. Two actions due at the same instant run in the order they were
/// scheduled, so a run depends on nothing but its seed.
/// </summary>
internal sealed class VirtualScheduler
{
    /// <summary>Virtual time zero: a fixed instant, so traces do not depend on the wall clock.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly PriorityQueue<ScheduledAction, (long Due, long Sequence)> _queue = new();
    private long _sequence;

    /// <summary>Ticks since <see cref="Epoch"/>.</summary>
    public long NowTicks { get; private set; }

    public TimeSpan Elapsed => TimeSpan.FromTicks(NowTicks);

    public DateTimeOffset Now => Epoch.AddTicks(NowTicks);

    /// <summary>Actions run so far: the measure of how much work a run was.</summary>
    public long Executed { get; private set; }

    public int Pending => _queue.Count;

    /// <summary>Runs <paramref name="action"/> <paramref name="delay"/> from now (at once for a negative delay).</summary>
    public ScheduledAction Schedule(TimeSpan delay, Action action)
    {
        var due = NowTicks + Math.Max(0, delay.Ticks);
        var scheduled = new ScheduledAction(action);
        _queue.Enqueue(scheduled, (due, _sequence++));
        return scheduled;
    }

    /// <summary>Runs every action due up to <paramref name="until"/> (since the epoch), then sets the clock there.</summary>
    /// <returns>False when <paramref name="maxActions"/> ran out first (a run that does not calm down).</returns>
    public bool RunUntil(TimeSpan until, long maxActions = long.MaxValue)
    {
        while (_queue.TryPeek(out var next, out var key) && key.Due <= until.Ticks)
        {
            if (Executed >= maxActions)
            {
                return false;
            }

            _queue.Dequeue();
            NowTicks = key.Due;
            if (next.Cancelled)
            {
                continue;
            }

            Executed++;
            next.Run();
        }

        NowTicks = Math.Max(NowTicks, until.Ticks);
        return true;
    }
}

/// <summary>An action in the <see cref="VirtualScheduler"/>'s queue; cancelling it makes it a no-op.</summary>
internal sealed class ScheduledAction(Action action)
{
    public bool Cancelled { get; private set; }

    public void Cancel() => Cancelled = true;

    internal void Run() => action();
}
