namespace Sasync.Core.Hosting;

/// <summary>
/// Counts the managed bytes the daemon's own code allocates on the node's threads (the event loop, the kernel
/// reader, the sessions' read and write loops), without what the platform allocates inside the calls made from
/// them (the key engine: the simulated kernel in the benchmarks): the figure <c>bench sync</c> reports per message.
/// </summary>
/// <remarks>
/// Each measured stretch is synchronous code on one thread, read with <see cref="GC.GetAllocatedBytesForCurrentThread"/>
/// (a few nanoseconds, so it stays on in production); what runs after an await on another thread is not counted,
/// which leaves out only the async machinery of a loop that had to wait. The total is process-wide: every node
/// of the process adds to it.
/// </remarks>
internal static class DaemonAllocationMeter
{
    private static long s_total;

    [ThreadStatic]
    private static long t_platformBytes;

    [ThreadStatic]
    private static int t_platformDepth;

    /// <summary>Bytes counted so far, all nodes of the process together.</summary>
    public static long Total => Interlocked.Read(ref s_total);

    /// <summary>Starts a stretch of daemon code on this thread; end it on the same thread.</summary>
    public static DaemonStretch Begin() => new(GC.GetAllocatedBytesForCurrentThread(), t_platformBytes);

    /// <summary>Starts a call into the platform, whose allocations are not the daemon's; end it on the same thread.</summary>
    public static PlatformStretch BeginPlatform()
    {
        t_platformDepth++;
        return new PlatformStretch(GC.GetAllocatedBytesForCurrentThread());
    }

    /// <summary>A stretch of daemon code: <see cref="End"/> adds what it allocated, less the platform's part.</summary>
    public readonly struct DaemonStretch(long startBytes, long startPlatformBytes)
    {
        /// <summary>Adds the stretch's bytes to the total, and returns them.</summary>
        public long End()
        {
            var bytes = GC.GetAllocatedBytesForCurrentThread() - startBytes - (t_platformBytes - startPlatformBytes);
            if (bytes > 0)
            {
                Interlocked.Add(ref s_total, bytes);
            }

            return bytes;
        }
    }

    /// <summary>A call into the platform: <see cref="End"/> sets its bytes aside (only the outermost of nested calls counts).</summary>
    public readonly struct PlatformStretch(long startBytes)
    {
        /// <summary>Sets the call's bytes aside.</summary>
        public void End()
        {
            if (--t_platformDepth == 0)
            {
                t_platformBytes += GC.GetAllocatedBytesForCurrentThread() - startBytes;
            }
        }
    }
}
