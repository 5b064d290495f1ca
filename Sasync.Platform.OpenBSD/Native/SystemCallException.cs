namespace Sasync.Platform.OpenBSD.Native;

/// <summary>A system call failed; carries the call's name and its errno.</summary>
public sealed class SystemCallException : IOException
{
    /// <summary>A failure of <paramref name="call"/> with <paramref name="errno"/>, explained by <paramref name="message"/>.</summary>
    /// <param name="call">The call as written in the message, e.g. <c>ioctl(SIOCSIFGATTR)</c>.</param>
    /// <param name="errno">The errno it returned.</param>
    /// <param name="message">What the daemon was doing, in the reader's terms.</param>
    public SystemCallException(string call, int errno, string message)
        : base($"{message}: {call}: {Describe(errno)}")
    {
        Call = call;
        Errno = errno;
    }

    /// <summary>A failure with no call or errno recorded (<see cref="Errno"/> is 0).</summary>
    public SystemCallException() { }

    /// <summary>A failure described only by <paramref name="message"/> (<see cref="Errno"/> is 0).</summary>
    public SystemCallException(string message) : base(message) { }

    /// <summary>A failure described by <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public SystemCallException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The system call that failed, as named in the message; empty when none was recorded.</summary>
    public string Call { get; } = "";

    /// <summary>The errno the call failed with; 0 when none was recorded.</summary>
    public int Errno { get; }

    /// <summary>The local strerror text and the number (the number is what matters on another OS).</summary>
    public static string Describe(int errno) => $"{System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
