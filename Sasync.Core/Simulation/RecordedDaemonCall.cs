namespace Sasync.Core.Simulation;

/// <summary>A successful call of a <see cref="RecordingDaemonControl"/>: what it asked, when, and how long the GC had held the process by then.</summary>
/// <param name="Active">"active" (true) or "passive".</param>
/// <param name="Timestamp">When it was made (the control's <see cref="TimeProvider.GetTimestamp"/>: <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> on the system clock).</param>
/// <param name="GcPauseTotal">The process's total GC pause time then (<see cref="GC.GetTotalPauseDuration"/>).</param>
public readonly record struct RecordedDaemonCall(bool Active, long Timestamp, TimeSpan GcPauseTotal);
