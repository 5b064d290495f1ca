namespace Sasync.Core.Simulation;

/// <summary>
/// A simulated system call failed (carp group ioctl, daemon control). An <see cref="IOException"/>
/// so hosts handle it like the failure of the real call.
/// </summary>
public sealed class SimulatedSystemCallException : IOException
{
    public SimulatedSystemCallException(int errno, string message) : base(message) => Errno = errno;

    public SimulatedSystemCallException() { }

    public SimulatedSystemCallException(string message) : base(message) { }

    public SimulatedSystemCallException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The errno value the real call would have failed with (OpenBSD numbering).</summary>
    public int Errno { get; }
}
