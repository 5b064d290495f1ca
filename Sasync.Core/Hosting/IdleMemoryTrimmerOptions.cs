namespace Sasync.Core.Hosting;

/// <summary>When <see cref="IdleMemoryTrimmer"/> collects.</summary>
public sealed record IdleMemoryTrimmerOptions
{
    /// <summary>How often the GC's figures are sampled; each decision compares one sample with the one before.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>At most this much allocated in one interval counts as idle.</summary>
    public long IdleAllocationBytes { get; init; } = 4 << 20;

    /// <summary>Growth of the GC's committed memory since the last trim that is worth a collection.</summary>
    public long Growth { get; init; } = 32 << 20;

    /// <summary>The clock of the sampling interval.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
