using Sasync.Core.Hosting;
using Sasync.Core.Sync;

namespace Sasync.Tests.Hosting;

/// <summary>
/// Kernel work goes to a <see cref="SynchronousNodeIo"/>; daemon control and demotion wait until the
/// test completes them, like a slow isakmpd or ioctl, so their order can be watched.
/// </summary>
internal sealed class GatedNodeIo(INodeIo kernel, Action<object> post) : INodeIo
{
    public List<(DaemonKind Daemon, bool Active)> DaemonCalls { get; } = [];

    public List<(DaemonKind Daemon, bool Active)> DaemonCallsUnderWay { get; } = [];

    public int MostDaemonCallsUnderWay { get; private set; }

    public List<(string Group, int Delta)> DemotionCalls { get; } = [];

    public List<(string Group, int Delta)> DemotionCallsUnderWay { get; } = [];

    public int MostDemotionCallsUnderWay { get; private set; }

    public KernelWriteCompleted? WriteToKernel(WriteToKernel write) => kernel.WriteToKernel(write);

    public void SetPromiscuous(bool enabled) => kernel.SetPromiscuous(enabled);

    public void RequestDump(RequestKernelDump request) => kernel.RequestDump(request);

    public void AbandonDump(AbandonKernelDump abandon) => kernel.AbandonDump(abandon);

    public void ControlDaemon(DaemonKind daemon, bool active)
    {
        DaemonCalls.Add((daemon, active));
        DaemonCallsUnderWay.Add((daemon, active));
        MostDaemonCallsUnderWay = Math.Max(MostDaemonCallsUnderWay, DaemonCallsUnderWay.Count(c => c.Daemon == daemon));
    }

    public void AdjustDemotion(string group, int delta)
    {
        DemotionCalls.Add((group, delta));
        DemotionCallsUnderWay.Add((group, delta));
        MostDemotionCallsUnderWay = Math.Max(MostDemotionCallsUnderWay, DemotionCallsUnderWay.Count(c => c.Group == group));
    }

    /// <summary>Finishes the oldest daemon call under way (successfully unless told otherwise) and posts its outcome.</summary>
    public void CompleteDaemonCall(DaemonControlFailure? failure = null)
    {
        var (daemon, active) = DaemonCallsUnderWay[0];
        DaemonCallsUnderWay.RemoveAt(0);
        post(new DaemonControlCompleted(daemon, active, failure));
    }

    /// <summary>Finishes the oldest demotion call under way and posts its outcome.</summary>
    public void CompleteDemotionCall()
    {
        var (group, delta) = DemotionCallsUnderWay[0];
        DemotionCallsUnderWay.RemoveAt(0);
        post(new DemotionAdjusted(group, delta, null));
    }
}
