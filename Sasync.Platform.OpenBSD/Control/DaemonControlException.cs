namespace Sasync.Platform.OpenBSD.Control;

/// <summary>An IKE daemon could not be told to switch mode; the caller retries (the original every 4 s).</summary>
public sealed class DaemonControlException : IOException
{
    public DaemonControlException(string message, int errno) : base(message) => Errno = errno;

    public DaemonControlException() { }

    public DaemonControlException(string message) : base(message) { }

    public DaemonControlException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The errno of the failing call, 0 when the failure was not a system call's.</summary>
    public int Errno { get; }
}
