namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// A <see cref="TimeProvider"/> over a <see cref="VirtualScheduler"/>: the time is the scheduler's,
/// and a timer's callback is a scheduled action, run on the scheduler's thread when its due time comes.
/// Like a host's clocks, the wall clock (<see cref="GetUtcNow"/>) can be stepped while the monotonic
/// one (<see cref="GetTimestamp"/>) and the timers are not.
/// </summary>
internal sealed class VirtualTimeProvider(VirtualScheduler scheduler) : TimeProvider
{
    public VirtualScheduler Scheduler { get; } = scheduler;

    /// <summary>How far this wall clock is off the virtual time (negative: stepped back).</summary>
    public TimeSpan WallClockOffset { get; set; }

    public override DateTimeOffset GetUtcNow() => Scheduler.Now + WallClockOffset;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Scheduler.NowTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(Scheduler, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class VirtualTimer(VirtualScheduler scheduler, TimerCallback callback, object? state) : ITimer
    {
        private ScheduledAction? _next;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed)
            {
                return false;
            }

            _next?.Cancel();
            _next = null;
            _period = period;
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                Arm(dueTime);
            }

            return true;
        }

        private void Arm(TimeSpan due) => _next = scheduler.Schedule(due, Fire);

        private void Fire()
        {
            _next = null;
            if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
            {
                Arm(_period);
            }

            callback(state);
        }

        public void Dispose()
        {
            _disposed = true;
            _next?.Cancel();
            _next = null;
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
