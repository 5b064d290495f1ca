using Sasync.Core.Platform;

namespace Sasync.Core.Simulation;

/// <summary>
/// Interface groups with their carp demote counters (SIOCGIFGATTR / SIOCSIFGATTR): a change is a
/// delta, a result outside 0..255 is refused with EINVAL, an unknown group with ENOENT.
/// </summary>
/// <remarks>Thread-safe; every change is applied atomically.</remarks>
public sealed class SimulatedCarpGroup : ICarpDemoter
{
    /// <summary>The largest demote counter the kernel keeps.</summary>
    public const int MaxDemoteCounter = 255;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly List<(string Group, int Delta)> _adjustments = [];

    /// <summary>Creates the groups with counter 0; by default the single group "carp".</summary>
    public SimulatedCarpGroup(params string[] groups)
    {
        foreach (var group in groups.Length == 0 ? ["carp"] : groups)
        {
            _counters[group] = 0;
        }
    }

    /// <summary>The counter of the group "carp" (or of the first group when there is no "carp").</summary>
    public int DemoteCounter
    {
        get
        {
            lock (_lock)
            {
                return _counters.TryGetValue("carp", out var counter) ? counter : _counters.Values.FirstOrDefault();
            }
        }
    }

    /// <summary>Every accepted change, in order (group, delta).</summary>
    public IReadOnlyList<(string Group, int Delta)> Adjustments
    {
        get
        {
            lock (_lock)
            {
                return [.. _adjustments];
            }
        }
    }

    /// <summary>The demote counter of <paramref name="group"/>.</summary>
    /// <exception cref="SimulatedSystemCallException">There is no such group (ENOENT).</exception>
    public int Get(string group)
    {
        lock (_lock)
        {
            return _counters.TryGetValue(group, out var counter) ? counter : throw NoSuchGroup(group);
        }
    }

    /// <summary>Sets a counter outright, as the boot sequence or an operator (ifconfig -g carp carpdemote) would.</summary>
    public void Set(string group, int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxDemoteCounter);
        lock (_lock)
        {
            _counters[group] = value;
        }
    }

    /// <inheritdoc/>
    public ValueTask<int> ReadAsync(string group, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Get(group));
    }

    /// <inheritdoc/>
    public ValueTask AdjustAsync(string group, int delta, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_counters.TryGetValue(group, out var counter))
            {
                throw NoSuchGroup(group);
            }

            var result = (long)counter + delta;
            if (result is < 0 or > MaxDemoteCounter)
            {
                throw new SimulatedSystemCallException(OpenBsdErrno.EINVAL, $"demote counter of {group} would become {result}, outside 0..{MaxDemoteCounter}");
            }

            _counters[group] = (int)result;
            _adjustments.Add((group, delta));
        }

        return ValueTask.CompletedTask;
    }

    private static SimulatedSystemCallException NoSuchGroup(string group) => new(OpenBsdErrno.ENOENT, $"no interface group {group}");
}
