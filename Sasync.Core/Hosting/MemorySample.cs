namespace Sasync.Core.Hosting;

/// <summary>The GC figures <see cref="IdleMemoryTrimmer"/> decides on.</summary>
/// <param name="AllocatedBytes">Bytes allocated since the process started (a counter that only grows).</param>
/// <param name="CommittedBytes">Memory the GC holds committed from the system.</param>
public readonly record struct MemorySample(long AllocatedBytes, long CommittedBytes)
{
    /// <summary>This process's figures now; the allocation count is the cheap, imprecise one.</summary>
    public static MemorySample OfThisProcess() =>
        new(GC.GetTotalAllocatedBytes(precise: false), GC.GetGCMemoryInfo().TotalCommittedBytes);
}
