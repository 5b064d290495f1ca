using System.Globalization;
using System.Runtime.CompilerServices;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// What happened in a run, one line per step: virtual time, who, what. Disabled, it costs a branch
/// per line: the interpolated text is not even formatted.
/// </summary>
internal sealed class SimulationTrace(VirtualScheduler scheduler, bool enabled)
{
    private readonly List<string> _lines = [];

    public bool Enabled { get; } = enabled;

    public IReadOnlyList<string> Lines => _lines;

    public void Add(string who, [InterpolatedStringHandlerArgument("")] TraceLineHandler what)
    {
        if (Enabled)
        {
            _lines.Add(Format(scheduler.Elapsed, who, what.ToStringAndClear()));
        }
    }

    public void Add(string who, string what)
    {
        if (Enabled)
        {
            _lines.Add(Format(scheduler.Elapsed, who, what));
        }
    }

    private static string Format(TimeSpan at, string who, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{at.TotalSeconds,11:0.000000} {who,-10} {what}");
}

/// <summary>Formats a trace line only when the trace is enabled.</summary>
[InterpolatedStringHandler]
internal ref struct TraceLineHandler
{
    private DefaultInterpolatedStringHandler _inner;
    private readonly bool _enabled;

    public TraceLineHandler(int literalLength, int formattedCount, SimulationTrace trace, out bool shouldAppend)
    {
        ArgumentNullException.ThrowIfNull(trace);
        _enabled = shouldAppend = trace.Enabled;
        _inner = _enabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount, CultureInfo.InvariantCulture) : default;
    }

    public void AppendLiteral(string value) => _inner.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);

    public void AppendFormatted(string? value) => _inner.AppendFormatted(value);

    internal string ToStringAndClear() => _enabled ? _inner.ToStringAndClear() : "";
}
