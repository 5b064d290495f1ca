namespace Sasync.Core.Platform;

/// <summary>
/// A key engine whose sockets' readers can be woken once for a run of writes instead of once per write: the
/// messages the writes deliver are queued at once, as always, and a reader that waits for them is woken when the run
/// ends. A write wakes no thread of its own then, and the reader takes the run's messages in one read.
/// </summary>
/// <remarks>
/// The simulated kernel's readers are tasks: a wake-up per write is a thread-pool hand-off (and often a parked thread
/// woken) per relayed or snapshot message on the receiving node. A run must be short (the handling of one socket
/// read's frames) and always ended: until then the readers of the engine's host do not wake.
/// </remarks>
public interface IKeyEngineWriteRun
{
    /// <summary>Starts a run (runs nest): readers are not woken until the outermost run ends.</summary>
    void BeginWriteRun();

    /// <summary>Ends a run; the outermost wakes every reader that waits for a message queued meanwhile.</summary>
    void EndWriteRun();
}
