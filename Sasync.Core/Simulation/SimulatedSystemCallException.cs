namespace Sasync.Core.Simulation;

/// <summary>
/// A simulated system call failed (carp group ioctl, daemon control). An <see cref="IOException"/>
/// so hosts handle it like the failure of the real call.
/// </summary>
public sealed class SimulatedSystemCallException : IOException
{
    /// <summary>The call failed with <paramref name="errno"/> (OpenBSD numbering, see <see cref="Platform.OpenBsdErrno"/>).</summary>
    public SimulatedSystemCallException(int errno, string message) : base(message) => Errno = errno;

    /// <summary>A failure without an errno (<see cref="Errno"/> 0).</summary>
    public SimulatedSystemCallException() { }

    /// <summary>A failure without an errno (<see cref="Errno"/> 0), described by <paramref name="message"/>.</summary>
    public SimulatedSystemCallException(string message) : base(message) { }

    /// <summary>A failure without an errno (<see cref="Errno"/> 0), caused by <paramref name="innerException"/>.</summary>
    public SimulatedSystemCallException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The errno value the real call would have failed with (OpenBSD numbering).</summary>
    public int Errno { get; }
}
