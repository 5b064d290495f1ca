using Sasync.Core.Platform;
using Sasync.Core.Simulation;

namespace Sasync.Core.Sync;

/// <summary>Why a kernel operation failed.</summary>
public enum KernelFailureKind
{
    /// <summary>The kernel refused the message; <see cref="KernelFailure.Errno"/> says why (EEXIST, ESRCH, EINVAL …).</summary>
    Refused,

    /// <summary>The PF_KEY socket or sysctl itself failed (an I/O error), not the message.</summary>
    Unavailable,

    /// <summary>Anything else (a bug, a cancelled call).</summary>
    Failed,
}

/// <summary>A failed kernel write, dump or switch: its kind, the errno when the kernel gave one, and a message for the log.</summary>
public sealed record KernelFailure(KernelFailureKind Kind, int? Errno, string Message)
{
    /// <summary>Classifies what the platform threw.</summary>
    public static KernelFailure From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            KeyEngineException refused => new(KernelFailureKind.Refused, refused.Errno, refused.Message),
            SimulatedSystemCallException call => new(KernelFailureKind.Unavailable, call.Errno, call.Message),
            IOException io => new(KernelFailureKind.Unavailable, null, io.Message),
            _ => new(KernelFailureKind.Failed, null, exception.Message),
        };
    }

    /// <summary>The <see cref="Message"/> alone, so that a failure put in a log line reads as its reason, not as a record.</summary>
    public override string ToString() => Message;
}
