namespace Sasync.Platform.OpenBSD.Control;

/// <summary>An IKE daemon could not be told to switch mode; the caller retries (the original every 4 s).</summary>
public sealed class DaemonControlException : IOException
{
    /// <summary>A system call failed with <paramref name="errno"/> (the host's numbering).</summary>
    public DaemonControlException(string message, int errno) : base(message) => Errno = errno;

    /// <summary>A failure that was not a system call's (<see cref="Errno"/> 0).</summary>
    public DaemonControlException() { }

    /// <summary>A failure that was not a system call's (<see cref="Errno"/> 0), described by <paramref name="message"/>.</summary>
    public DaemonControlException(string message) : base(message) { }

    /// <summary>A failure caused by <paramref name="innerException"/> (<see cref="Errno"/> 0).</summary>
    public DaemonControlException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The errno of the failing call, 0 when the failure was not a system call's.</summary>
    public int Errno { get; }
}
