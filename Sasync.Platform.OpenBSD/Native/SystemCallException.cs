namespace Sasync.Platform.OpenBSD.Native;

/// <summary>A system call failed; carries the call's name and its errno.</summary>
public sealed class SystemCallException : IOException
{
    public SystemCallException(string call, int errno, string message)
        : base($"{message}: {call}: {Describe(errno)}")
    {
        Call = call;
        Errno = errno;
    }

    public SystemCallException() { }

    public SystemCallException(string message) : base(message) { }

    public SystemCallException(string message, Exception innerException) : base(message, innerException) { }

    public string Call { get; } = "";

    public int Errno { get; }

    /// <summary>The local strerror text and the number (the number is what matters on another OS).</summary>
    public static string Describe(int errno) => $"{System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
