using Microsoft.Extensions.Time.Testing;
using Sasync.Core;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;

namespace Sasync.Tests.Simulation;

public sealed class SimulatedCarpTests
{
    [Fact]
    public async Task A_new_carp_interface_is_INVALID_and_reads_as_INIT()
    {
        var carp = new SimulatedCarp("carp1");

        var state = await carp.ReadAsync("carp1", default);

        Assert.Equal(LinkState.Invalid, state);
        Assert.Equal(RunState.Init, CarpRunState.FromLinkState(state));
    }

    [Fact]
    public async Task Watchers_hear_the_current_state_then_every_change_but_not_a_repeated_state()
    {
        var carp = new SimulatedCarp();
        using var cancel = new CancellationTokenSource();
        var seen = new List<LinkState>();
        var watcher = Task.Run(async () =>
        {
            await foreach (var state in carp.WatchAsync("carp0", cancel.Token))
            {
                seen.Add(state);
                if (seen.Count == 4)
                {
                    return;
                }
            }
        });
        await WaitForWatcher(carp);

        carp.Set(CarpState.Backup);
        carp.Set(CarpState.Backup);
        carp.Set(CarpState.Master);
        carp.Set(LinkState.KeepAliveDown);
        await watcher;

        Assert.Equal([LinkState.Invalid, LinkState.Down, LinkState.Up, LinkState.KeepAliveDown], seen);
        Assert.Equal(LinkState.KeepAliveDown, await carp.ReadAsync("carp0", default));
        Assert.Equal(0, carp.WatcherCount);
    }

    [Fact]
    public async Task Watching_ends_on_cancellation_and_the_watcher_is_removed()
    {
        var carp = new SimulatedCarp();
        using var cancel = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            await foreach (var unused in carp.WatchAsync("carp0", cancel.Token))
            {
            }
        });
        await WaitForWatcher(carp);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watcher);
        Assert.Equal(0, carp.WatcherCount);
    }

    [Fact]
    public async Task An_unknown_interface_is_an_error()
    {
        var carp = new SimulatedCarp("carp0");

        var error = await Assert.ThrowsAsync<SimulatedSystemCallException>(async () => await carp.ReadAsync("carp9", default));

        Assert.Equal(OpenBsdErrno.ENXIO, error.Errno);
    }

    [Fact]
    public async Task The_demote_counter_stays_within_0_and_255()
    {
        var group = new SimulatedCarpGroup();

        await group.AdjustAsync("carp", 255, default);
        var over = await Assert.ThrowsAsync<SimulatedSystemCallException>(async () => await group.AdjustAsync("carp", 1, default));
        await group.AdjustAsync("carp", -255, default);
        var under = await Assert.ThrowsAsync<SimulatedSystemCallException>(async () => await group.AdjustAsync("carp", -1, default));

        Assert.Equal((OpenBsdErrno.EINVAL, OpenBsdErrno.EINVAL), (over.Errno, under.Errno));
        Assert.Equal(0, await group.ReadAsync("carp", default));
        Assert.Equal([("carp", 255), ("carp", -255)], group.Adjustments);
    }

    [Fact]
    public async Task Demotion_is_a_delta_and_an_unknown_group_is_ENOENT()
    {
        var group = new SimulatedCarpGroup("carp", "other");
        group.Set("carp", 1);

        await group.AdjustAsync("carp", 1, default);
        await group.AdjustAsync("carp", -1, default);
        var missing = await Assert.ThrowsAsync<SimulatedSystemCallException>(async () => await group.ReadAsync("nope", default));

        Assert.Equal(1, group.DemoteCounter);
        Assert.Equal(0, group.Get("other"));
        Assert.Equal(OpenBsdErrno.ENOENT, missing.Errno);
    }

    [Fact]
    public async Task The_daemon_control_recorder_stamps_the_last_successful_call_for_timing()
    {
        var time = new FakeTimeProvider();
        var control = new RecordingDaemonControl(time);
        Assert.Null(control.LastCall);

        time.Advance(TimeSpan.FromMilliseconds(5));
        var stampedAt = time.GetTimestamp();
        await control.SetActiveAsync(true, default);
        time.Advance(TimeSpan.FromMilliseconds(5));
        control.FailNext();
        await Assert.ThrowsAsync<SimulatedSystemCallException>(async () => await control.SetActiveAsync(false, default));

        // The failed call leaves the stamp of the one that succeeded.
        var call = Assert.NotNull(control.LastCall);
        Assert.True(call.Active);
        Assert.Equal(stampedAt, call.Timestamp);
        Assert.Equal(1, control.CallCount);
    }

    [Fact]
    public async Task The_daemon_control_recorder_keeps_calls_in_order_and_fails_on_request()
    {
        var control = new RecordingDaemonControl();

        await control.SetActiveAsync(true, default);
        control.FailNext();
        await Assert.ThrowsAsync<SimulatedSystemCallException>(async () => await control.SetActiveAsync(false, default));
        await control.SetActiveAsync(false, default);
        control.Failing = true;
        await Assert.ThrowsAsync<SimulatedSystemCallException>(async () => await control.SetActiveAsync(true, default));
        await Assert.ThrowsAsync<SimulatedSystemCallException>(async () => await control.SetActiveAsync(true, default));

        Assert.Equal(["active", "passive"], control.Calls);
        Assert.Equal(["passive", "active", "active"], control.FailedCalls);
        Assert.False(control.IsActive);
    }

    [Fact]
    public async Task A_simulated_node_bundles_the_four_parts()
    {
        var node = new SimulatedNode(carpInterface: "carp3");
        await using var engine = node.OpenKeyEngine(99);

        node.Carp.Set(CarpState.Master);
        await node.CarpDemoter.AdjustAsync("carp", 1, default);
        await node.Daemon.SetActiveAsync(true, default);

        Assert.Equal(LinkState.Up, await node.CarpStateSource.ReadAsync("carp3", default));
        Assert.Equal(1, node.CarpGroup.DemoteCounter);
        Assert.Equal(["active"], node.DaemonControl.Calls);
        Assert.Equal(99u, Assert.Single(node.Kernel.Clients).Pid);
    }

    private static async Task WaitForWatcher(SimulatedCarp carp)
    {
        while (carp.WatcherCount == 0)
        {
            await Task.Delay(5);
        }
    }
}
