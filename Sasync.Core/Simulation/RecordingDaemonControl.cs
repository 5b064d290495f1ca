using Sasync.Core.Platform;

namespace Sasync.Core.Simulation;

/// <summary>
/// Stands in for isakmpd/iked control: records every "active"/"passive" call, and can be made to
/// fail like an unreachable daemon. Thread-safe.
/// </summary>
/// <param name="time">Stamps <see cref="LastCall"/>; the system clock when null.</param>
public sealed class RecordingDaemonControl(TimeProvider? time = null) : IDaemonControl
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly List<string> _calls = [];
    private readonly List<string> _failedCalls = [];
    private int _failuresLeft;
    private bool _failing;
    private RecordedDaemonCall? _lastCall;

    /// <summary>The calls that succeeded, in order: "active" or "passive".</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The calls that were made to fail, in order.</summary>
    public IReadOnlyList<string> FailedCalls
    {
        get
        {
            lock (_lock)
            {
                return [.. _failedCalls];
            }
        }
    }

    /// <summary>How many calls succeeded (<see cref="Calls"/>' count, without copying them).</summary>
    public int CallCount
    {
        get
        {
            lock (_lock)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>
    /// When the last successful call was made, and the process's total GC pause time then (null before any): lets a
    /// benchmark time a failover to the call itself rather than to the moment it looked.
    /// </summary>
    public RecordedDaemonCall? LastCall
    {
        get
        {
            lock (_lock)
            {
                return _lastCall;
            }
        }
    }

    /// <summary>The state the daemon was last told, or null before any successful call.</summary>
    public bool? IsActive
    {
        get
        {
            lock (_lock)
            {
                return _calls.Count == 0 ? null : _calls[^1] == "active";
            }
        }
    }

    /// <summary>While true every call fails (the daemon is down).</summary>
    public bool Failing
    {
        get
        {
            lock (_lock)
            {
                return _failing;
            }
        }

        set
        {
            lock (_lock)
            {
                _failing = value;
            }
        }
    }

    /// <summary>Makes the next <paramref name="count"/> calls fail.</summary>
    public void FailNext(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_lock)
        {
            _failuresLeft = count;
        }
    }

    /// <summary>Records "active" or "passive"; while failing, records it as a failed call and fails with ECONNREFUSED.</summary>
    /// <exception cref="SimulatedSystemCallException">The control is set to fail.</exception>
    public ValueTask SetActiveAsync(bool active, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var call = active ? "active" : "passive";
        lock (_lock)
        {
            if (_failing || _failuresLeft > 0)
            {
                _failuresLeft = Math.Max(0, _failuresLeft - 1);
                _failedCalls.Add(call);
                return ValueTask.FromException(new SimulatedSystemCallException(OpenBsdErrno.ECONNREFUSED, $"daemon control unreachable ({call})"));
            }

            _calls.Add(call);
            _lastCall = new RecordedDaemonCall(active, _time.GetTimestamp(), GC.GetTotalPauseDuration());
        }

        return ValueTask.CompletedTask;
    }
}
