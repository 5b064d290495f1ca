using System.Collections.Immutable;
using Sasync.Core.Config;
using Sasync.Core.Platform;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// Draws one run from a seed: 2-4 nodes (a quarter of the seeds with one original-peer model among
/// them), a few virtual minutes of faults, then the settle phase. Every draw comes from the run's
/// one <see cref="Random"/>, in a fixed order, so a seed always makes the same scenario.
/// </summary>
internal sealed class ClusterScenario
{
    private readonly ClusterContext _context;
    private readonly List<string> _description = [];
    private readonly List<(TimeSpan At, string Line)> _faults = [];
    private readonly Random _random;

    public ClusterScenario(ClusterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _random = context.Random;
        var count = _random.Next(2, 5);
        var original = _random.Next(4) == 0 ? _random.Next(1, count + 1) : 0;
        Key = RandomKey();
        var nodes = ImmutableArray.CreateBuilder<ClusterNode>();
        for (var i = 1; i <= count; i++)
        {
            var peers = Enumerable.Range(1, count).Where(p => p != i).Select(ClusterNode.AddressOf).ToImmutableArray();
            nodes.Add(new ClusterNode(i, i == original ? NodeKind.Original : NodeKind.SasyncdCs, context, peers, Key));
        }

        Nodes = nodes.ToImmutable();
        FaultPhase = TimeSpan.FromSeconds(_random.Next(60, 181));
        _description.Add($"{count} nodes: {string.Join(", ", Nodes.Select(n => $"{n.Name} {n.Address}"))}; faults for {FaultPhase.TotalSeconds:0} s");
    }

    public ImmutableArray<ClusterNode> Nodes { get; }

    public SharedKey Key { get; }

    /// <summary>Faults happen before this; the settle phase starts here.</summary>
    public TimeSpan FaultPhase { get; }

    /// <summary>The cluster, then the faults in the order they happen.</summary>
    public IReadOnlyList<string> Description => [.. _description, .. _faults.OrderBy(f => f.At).Select(f => f.Line)];

    private VirtualScheduler Scheduler => _context.Scheduler;

    /// <summary>Starts the nodes and schedules every fault of the run.</summary>
    public void Schedule()
    {
        var master = Pick();
        foreach (var node in Nodes)
        {
            node.Host.Carp.Set(node == master ? LinkState.Up : LinkState.Down);
            var start = Ms(0, 3000);
            Scheduler.Schedule(start, node.Start);
            var ike = new IkeActor(node, _random, _context.Trace);
            Ikes.Add(ike);
            ike.Start(Scheduler);
        }

        _description.Add($"{master.Name} starts as carp MASTER");
        var faults = _random.Next(3, 13);
        for (var i = 0; i < faults; i++)
        {
            var at = TimeSpan.FromMilliseconds(_random.Next(5000, (int)FaultPhase.TotalMilliseconds - 25000));
            var room = FaultPhase - TimeSpan.FromSeconds(22) - at;
            ScheduleFault(at, room);
        }
    }

    /// <summary>The IKE daemons, one per node.</summary>
    public List<IkeActor> Ikes { get; } = [];

    private void ScheduleFault(TimeSpan at, TimeSpan room)
    {
        var kind = _random.Next(13);
        var a = Pick();
        var b = PickOther(a);
        var length = Min(room, Ms(300, 40000));
        string what;
        switch (kind)
        {
            case 0:
                // Both daemons restart at once: they dial each other at the same instant.
                var gap = Ms(0, 400);
                what = $"{a.Name} and {b.Name} restart together ({gap.TotalMilliseconds:0} ms apart)";
                At(at, () => Restart(a));
                At(at + gap, () => Restart(b));
                break;
            case 1:
                var reset = _random.Next(2) == 0;
                what = $"connections {a.Name} <-> {b.Name} {(reset ? "reset" : "blackholed")}";
                At(at, () => _context.Network.DropConnections(a.Address, b.Address, reset));
                break;
            case 2:
                var extra = Ms(20, 2000);
                what = $"extra delay {extra.TotalMilliseconds:0} ms {a.Name} <-> {b.Name} for {length.TotalSeconds:0.#} s";
                At(at, () => _context.Network.SetExtraDelay(a.Address, b.Address, extra));
                At(at + length, () => _context.Network.SetExtraDelay(a.Address, b.Address, TimeSpan.Zero));
                break;
            case 3:
                var oneWay = _random.Next(2) == 0;
                what = $"partition {a.Name} {(oneWay ? "->" : "<->")} {b.Name} for {length.TotalSeconds:0.#} s";
                At(at, () => _context.Network.Partition(a.Address, b.Address, oneWay));
                At(at + length, () => _context.Network.Heal(a.Address, b.Address));
                break;
            case 4:
                var pause = Min(room, Ms(300, 15000));
                what = $"{a.Name} paused for {pause.TotalSeconds:0.###} s";
                At(at, a.Pause);
                At(at + pause, a.Resume);
                break;
            case 5:
                var down = Min(room, Ms(500, 20000));
                var rc = Ms(1000, 10000);
                var crash = _random.Next(3) == 0;
                var graceful = _random.Next(2) == 0;
                // After a boot ntpd may step the clock back (a fast RTC): timers must not care.
                var stepBack = _random.Next(3) == 0 ? TimeSpan.FromSeconds(-_random.Next(5, 90)) : TimeSpan.Zero;
                what = $"{a.Name} {(crash ? "crashes" : "reboots")} with an empty kernel, down {down.TotalSeconds:0.###} s"
                    + (stepBack == TimeSpan.Zero ? "" : $", then its clock steps back {-stepBack.TotalSeconds:0} s");
                if (stepBack != TimeSpan.Zero)
                {
                    At(at + down + Ms(100, 3000), () => a.StepWallClock(stepBack));
                }

                At(at, () =>
                {
                    if (!a.HostUp)
                    {
                        return;
                    }

                    var wasMaster = a.Host.Carp.State == LinkState.Up;
                    if (crash)
                    {
                        a.Crash(down, rc);
                    }
                    else
                    {
                        a.Reboot(down, rc, graceful);
                    }

                    if (wasMaster)
                    {
                        // carp on a surviving node takes over after its hold-down.
                        var heir = Nodes.Where(n => n != a && n.HostUp).ToList();
                        if (heir.Count > 0)
                        {
                            var next = heir[_random.Next(heir.Count)];
                            Scheduler.Schedule(Ms(500, 3000), () => next.SetCarp(LinkState.Up));
                        }
                    }
                });
                break;
            case 6:
                var wrong = RandomKey();
                what = $"{a.Name} has another key for {length.TotalSeconds:0.#} s";
                At(at, () => a.ChangeKey(wrong));
                At(at + length, () => a.ChangeKey(Key));
                break;
            case 7:
                var flap = Ms(100, 3000);
                what = $"carp flap on {a.Name} ({flap.TotalMilliseconds:0} ms)";
                At(at, () =>
                {
                    var before = a.Host.Carp.State;
                    a.SetCarp(before == LinkState.Up ? LinkState.Down : LinkState.Up);
                    Scheduler.Schedule(flap, () => a.SetCarp(before));
                });
                break;
            case 8:
                what = $"{a.Name} and {b.Name} both carp MASTER for {length.TotalSeconds:0.#} s";
                At(at, () =>
                {
                    a.SetCarp(LinkState.Up);
                    b.SetCarp(LinkState.Up);
                });
                At(at + length, () => b.SetCarp(LinkState.Down));
                break;
            case 9:
                what = $"carp fails over from whoever is MASTER to {a.Name}";
                At(at, () =>
                {
                    a.SetCarp(LinkState.Up);
                    foreach (var other in Nodes.Where(n => n != a))
                    {
                        other.SetCarp(LinkState.Down);
                    }
                });
                break;
            case 11:
                // Both in sync: the new MASTER's resync by digest is under way (or just done) when carp flips back.
                var back = Ms(0, 400);
                what = $"carp fails over to {a.Name} and back after {back.TotalMilliseconds:0} ms";
                At(at, () =>
                {
                    var before = Nodes.Where(n => n.HostUp && n.Host.Carp.State == LinkState.Up).ToList();
                    FailOver(a);
                    Scheduler.Schedule(back, () =>
                    {
                        if (before.Count > 0)
                        {
                            FailOver(before[0]);
                        }
                    });
                });
                break;
            case 12:
                // Kernels apart: a node rejoins empty and carp moves while it is being resynced.
                var away = Min(room, Ms(500, 8000));
                var moved = Ms(0, 1500);
                what = $"{a.Name} reboots with an empty kernel, down {away.TotalSeconds:0.###} s, and carp fails over to {b.Name} {moved.TotalMilliseconds:0} ms after it is back";
                At(at, () =>
                {
                    if (a.HostUp)
                    {
                        var wasMaster = a.Host.Carp.State == LinkState.Up;
                        a.Reboot(away, Ms(1000, 10000), graceful: true);
                        if (wasMaster)
                        {
                            Scheduler.Schedule(Ms(100, 500), () => FailOver(b));
                        }
                    }
                });
                At(at + away + moved, () => FailOver(b));
                break;
            default:
                var isolated = Min(room, Ms(1000, 30000));
                what = $"{a.Name} cut off from everyone for {isolated.TotalSeconds:0.#} s";
                At(at, () =>
                {
                    foreach (var other in Nodes.Where(n => n != a))
                    {
                        _context.Network.Partition(a.Address, other.Address, oneWay: false);
                    }
                });
                At(at + isolated, () =>
                {
                    foreach (var other in Nodes.Where(n => n != a))
                    {
                        _context.Network.Heal(a.Address, other.Address);
                    }
                });
                break;
        }

        _faults.Add((at, $"{at.TotalSeconds,7:0.000} s  {what}"));
        // Just before the fault itself, so that the trace names it first.
        Scheduler.Schedule(at - Scheduler.Elapsed - TimeSpan.FromTicks(1), () => _context.Trace.Add("fault", what));
    }

    // carp MASTER moves to node: it goes up, every other node down.
    private void FailOver(ClusterNode node)
    {
        node.SetCarp(LinkState.Up);
        foreach (var other in Nodes.Where(n => n != node))
        {
            other.SetCarp(LinkState.Down);
        }
    }

    private void Restart(ClusterNode node)
    {
        if (!node.HostUp)
        {
            return;
        }

        node.Kill(graceful: _random.Next(2) == 0);
        node.Start();
    }

    private void At(TimeSpan at, Action action) => Scheduler.Schedule(at - Scheduler.Elapsed, action);

    private ClusterNode Pick() => Nodes[_random.Next(Nodes.Length)];

    private ClusterNode PickOther(ClusterNode node)
    {
        var others = Nodes.Where(n => n != node).ToList();
        return others[_random.Next(others.Count)];
    }

    private TimeSpan Ms(int min, int max) => TimeSpan.FromMilliseconds(_random.Next(min, max));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private SharedKey RandomKey()
    {
        var bytes = new byte[32];
        _random.NextBytes(bytes);
        return new SharedKey(bytes);
    }
}
