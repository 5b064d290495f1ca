namespace Sasync.Core.Sync;

/// <summary>Why an IKE daemon could not be switched.</summary>
public enum DaemonControlFailureKind
{
    /// <summary>This platform has no control for that daemon.</summary>
    NotConfigured,

    /// <summary>The daemon's FIFO or socket could not be reached (it is not running, or not listening).</summary>
    Unreachable,

    /// <summary>The daemon did not take the command in time.</summary>
    TimedOut,

    /// <summary>Anything else.</summary>
    Failed,
}

/// <summary>A failed daemon switch: its kind and a message for the log.</summary>
public sealed record DaemonControlFailure(DaemonControlFailureKind Kind, string Message)
{
    /// <summary>Classifies what the daemon control threw.</summary>
    public static DaemonControlFailure From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            OperationCanceledException or TimeoutException => new(DaemonControlFailureKind.TimedOut, "the daemon did not answer in time"),
            IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException => new(DaemonControlFailureKind.Unreachable, exception.Message),
            _ => new(DaemonControlFailureKind.Failed, exception.Message),
        };
    }

    /// <summary>The <see cref="Message"/> alone, so that a failure put in a log line reads as its reason, not as a record.</summary>
    public override string ToString() => Message;
}
