namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// One process of a simulated host: everything it does runs from its inbox, one item at a time, on
/// the scheduler. Paused (SIGSTOP) it handles nothing while items, timer firings and arrivals pile
/// up; resumed it catches up. Once killed, whatever is posted to it is dropped.
/// </summary>
internal sealed class SimulatedProcess(string name, VirtualScheduler scheduler, Action<object> handle)
{
    // Items handled per scheduler step, and the virtual CPU time each one takes.
    private const int BurstItems = 64;
    private static readonly TimeSpan ItemCost = TimeSpan.FromMicroseconds(5);

    private readonly Queue<object> _inbox = new();
    private bool _drainScheduled;
    private int _blocked;

    public string Name { get; } = name;

    public VirtualScheduler Scheduler { get; } = scheduler;

    public bool Alive { get; private set; } = true;

    public bool Paused { get; private set; }

    /// <summary>Items waiting: with a paused process, what its peers' traffic and its timers left for it.</summary>
    public int Waiting => _inbox.Count;

    /// <summary>Queues an item: an <see cref="Action"/> runs as it is, anything else goes to the process's handler.</summary>
    public void Post(object item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!Alive)
        {
            return;
        }

        _inbox.Enqueue(item);
        ScheduleDrain(TimeSpan.Zero);
    }

    /// <summary>Queues work of the process itself.</summary>
    public void Post(Action action) => Post((object)action);

    /// <summary>SIGSTOP.</summary>
    public void Pause() => Paused = true;

    /// <summary>SIGCONT.</summary>
    public void Resume()
    {
        Paused = false;
        ScheduleDrain(TimeSpan.Zero);
    }

    /// <summary>
    /// The process waits in a system call (a blocking connect): it handles nothing until
    /// <see cref="Unblock"/>, though its own waiting call may still complete.
    /// </summary>
    public void Block() => _blocked++;

    public void Unblock()
    {
        _blocked--;
        ScheduleDrain(TimeSpan.Zero);
    }

    /// <summary>The process is gone: its inbox is dropped and it never runs again.</summary>
    public void Kill()
    {
        Alive = false;
        _inbox.Clear();
    }

    private void ScheduleDrain(TimeSpan after)
    {
        if (_drainScheduled || !Alive || Paused || _blocked > 0 || _inbox.Count == 0)
        {
            return;
        }

        _drainScheduled = true;
        Scheduler.Schedule(after, Drain);
    }

    private void Drain()
    {
        _drainScheduled = false;
        var handled = 0;
        while (handled < BurstItems && Alive && !Paused && _blocked == 0 && _inbox.TryDequeue(out var item))
        {
            handled++;
            if (item is Action action)
            {
                action();
            }
            else
            {
                handle(item);
            }
        }

        ScheduleDrain(ItemCost * handled);
    }
}
