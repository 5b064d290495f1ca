using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>
/// The node's work on its own host: the kernel (writes, promiscuous switch, dumps, all in one order),
/// the IKE daemons and the carp demote counter. Nothing here blocks the caller: each outcome comes
/// back later as an item for <see cref="NodeCore.Handle"/>, through the callback the host gave the
/// implementation, except a kernel write that completed at once, which is returned.
/// </summary>
public interface INodeIo
{
    /// <summary>
    /// Writes a message to the kernel after every kernel operation still under way. Returns its
    /// outcome when it completed at once; null when it is under way (the outcome, a
    /// <see cref="KernelWriteCompleted"/>, is posted later).
    /// </summary>
    KernelWriteCompleted? WriteToKernel(WriteToKernel write);

    /// <summary>
    /// <see cref="WriteToKernel(Sync.WriteToKernel)"/> without the effect record: the write of every message
    /// from the MASTER. When it returns an outcome the call is done with <paramref name="message"/> and the caller
    /// may reuse its buffer; when it returns null, the buffer must stay as it is (the caller hands it over).
    /// </summary>
    KernelWriteCompleted? WriteToKernel(string peer, ReadOnlyMemory<byte> message) => WriteToKernel(new WriteToKernel(peer, message));

    /// <summary>
    /// Starts a run of writes (the handling of one batch of frames): the kernel may leave its readers' wake-ups to
    /// <see cref="EndKernelWrites"/>, so that the run costs one wake-up instead of one per write. Every call is
    /// followed by one of <see cref="EndKernelWrites"/>. By default nothing changes.
    /// </summary>
    void BeginKernelWrites()
    {
    }

    /// <summary>Ends the run <see cref="BeginKernelWrites"/> started.</summary>
    void EndKernelWrites()
    {
    }

    /// <summary>Turns promiscuous mode on or off, in order with writes and dumps; posts <see cref="PromiscuousSet"/>.</summary>
    void SetPromiscuous(bool enabled);

    /// <summary>Takes the SADB and SPD dumps, in order with writes and the promiscuous switch; posts <see cref="KernelDumpCompleted"/>.</summary>
    void RequestDump(RequestKernelDump request);

    /// <summary>
    /// Stops reading a dump the engine no longer wants (<see cref="AbandonKernelDump"/>), or drops it before it is taken;
    /// no completion need be posted for it. An id no longer being read is ignored. By default the dump is read to its end.
    /// </summary>
    void AbandonDump(AbandonKernelDump abandon)
    {
    }

    /// <summary>Tells an IKE daemon to be active or passive; posts <see cref="DaemonControlCompleted"/>. The caller keeps one call per daemon under way.</summary>
    void ControlDaemon(DaemonKind daemon, bool active);

    /// <summary>Adds <paramref name="delta"/> to a carp group's demote counter; posts <see cref="DemotionAdjusted"/>. The caller keeps one call per group under way.</summary>
    void AdjustDemotion(string group, int delta);
}
