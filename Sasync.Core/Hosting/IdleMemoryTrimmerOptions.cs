namespace Sasync.Core.Hosting;

/// <summary>When <see cref="IdleMemoryTrimmer"/> collects.</summary>
public sealed record IdleMemoryTrimmerOptions
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>At most this much allocated in one interval counts as idle.</summary>
    public long IdleAllocationBytes { get; init; } = 4 << 20;

    /// <summary>Growth of the GC's committed memory since the last trim that is worth a collection.</summary>
    public long Growth { get; init; } = 32 << 20;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
