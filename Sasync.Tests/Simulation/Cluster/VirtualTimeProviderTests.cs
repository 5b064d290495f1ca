using Sasync.Core.Simulation.Cluster;

namespace Sasync.Tests.Simulation.Cluster;

public sealed class VirtualTimeProviderTests
{
    [Fact]
    public void Timers_fire_at_their_virtual_due_time_in_order_and_not_after_dispose()
    {
        var scheduler = new VirtualScheduler();
        var time = new VirtualTimeProvider(scheduler);
        var fired = new List<(string Name, TimeSpan At)>();
        using var late = time.CreateTimer(_ => fired.Add(("late", scheduler.Elapsed)), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var early = time.CreateTimer(_ => fired.Add(("early", scheduler.Elapsed)), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        var cancelled = time.CreateTimer(_ => fired.Add(("cancelled", scheduler.Elapsed)), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        cancelled.Dispose();

        scheduler.RunUntil(TimeSpan.FromSeconds(10));

        Assert.Equal([("early", TimeSpan.FromSeconds(1)), ("late", TimeSpan.FromSeconds(3))], fired);
        Assert.Equal(VirtualScheduler.Epoch + TimeSpan.FromSeconds(10), time.GetUtcNow());
    }

    [Fact]
    public void A_periodic_timer_repeats_and_change_moves_it()
    {
        var scheduler = new VirtualScheduler();
        var time = new VirtualTimeProvider(scheduler);
        var ticks = new List<TimeSpan>();
        using var timer = time.CreateTimer(_ => ticks.Add(scheduler.Elapsed), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        scheduler.RunUntil(TimeSpan.FromSeconds(5.5));
        timer.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        scheduler.RunUntil(TimeSpan.FromSeconds(30));

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15.5)], ticks);
    }

    [Fact]
    public void A_disabled_trace_records_nothing_and_an_enabled_one_stamps_virtual_time()
    {
        var scheduler = new VirtualScheduler();
        var off = new SimulationTrace(scheduler, enabled: false);
        var on = new SimulationTrace(scheduler, enabled: true);
        scheduler.Schedule(TimeSpan.FromMilliseconds(1500), () =>
        {
            off.Add("node1", $"value {42}");
            on.Add("node1", $"value {42}");
        });

        scheduler.RunUntil(TimeSpan.FromSeconds(2));

        Assert.Empty(off.Lines);
        Assert.Equal("   1.500000 node1      value 42", Assert.Single(on.Lines));
    }
}
