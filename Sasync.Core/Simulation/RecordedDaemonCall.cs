using System.Diagnostics;

namespace Sasync.Core.Simulation;

/// <summary>A successful call of a <see cref="RecordingDaemonControl"/>: what it asked, when, and how long the GC had held the process by then.</summary>
/// <param name="Active">"active" (true) or "passive".</param>
/// <param name="Timestamp">When it was made (<see cref="Stopwatch.GetTimestamp"/>).</param>
/// <param name="GcPauseTotal">The process's total GC pause time then (<see cref="GC.GetTotalPauseDuration"/>).</param>
public readonly record struct RecordedDaemonCall(bool Active, long Timestamp, TimeSpan GcPauseTotal);
