using Microsoft.Extensions.Logging;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>A node's log as trace lines; a critical line (the engine failed) is also kept as a failure of the run.</summary>
internal sealed class TraceLogger(string node, SimulationTrace trace, ClusterObservations observations) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug && (trace.Enabled || logLevel == LogLevel.Critical);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        if (logLevel == LogLevel.Critical)
        {
            observations.EngineFailures.Add($"{node}: {message}{(exception is null ? "" : $": {exception}")}");
        }

        trace.Add(node, message);
    }
}
