namespace Sasync.Core.Net;

/// <summary>
/// Delays between connection attempts to a missing peer: sub-second at first, doubling up to a cap.
/// The original waited 600 s; a gateway pair should find each other again within a second.
/// </summary>
public sealed class ReconnectBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private TimeSpan _next;

    public ReconnectBackoff(TimeSpan initial, TimeSpan max)
    {
        _initial = initial;
        _max = max;
        _next = initial;
    }

    /// <summary>The delay before the next attempt; each call doubles the one after it.</summary>
    public TimeSpan Next()
    {
        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(_max.Ticks, _next.Ticks * 2));
        return delay;
    }

    public void Reset() => _next = _initial;
}
