using System.Net;
using System.Net.Sockets;

namespace Sasync.Core.Net;

/// <summary>A listen address could not be bound; the message is the one the daemon prints before it exits 1.</summary>
public sealed class ListenFailedException : Exception
{
    /// <summary>Binding <paramref name="endpoint"/> failed with <paramref name="cause"/>.</summary>
    /// <param name="endpoint">The address and port that could not be bound.</param>
    /// <param name="cause">The bind's error; "address already in use" is spelt out, others keep the system's message.</param>
    public ListenFailedException(IPEndPoint endpoint, SocketException cause)
        : base(Describe(endpoint, cause), cause)
    {
        EndPoint = endpoint;
    }

    /// <summary>A failure without an address (<see cref="EndPoint"/> is <see cref="IPAddress.None"/> port 0).</summary>
    public ListenFailedException()
    {
        EndPoint = new IPEndPoint(IPAddress.None, 0);
    }

    /// <summary>A failure described by <paramref name="message"/>, without an address (<see cref="EndPoint"/> is <see cref="IPAddress.None"/> port 0).</summary>
    public ListenFailedException(string message)
        : base(message)
    {
        EndPoint = new IPEndPoint(IPAddress.None, 0);
    }

    /// <summary>A failure described by <paramref name="message"/> and caused by <paramref name="innerException"/>, without an address.</summary>
    public ListenFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        EndPoint = new IPEndPoint(IPAddress.None, 0);
    }

    /// <summary>The address and port that could not be bound; <see cref="IPAddress.None"/> port 0 when none was given.</summary>
    public IPEndPoint EndPoint { get; }

    private static string Describe(IPEndPoint endpoint, SocketException cause)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(cause);
        var why = cause.SocketErrorCode == SocketError.AddressAlreadyInUse ? "address already in use" : cause.Message;
        return $"cannot listen on {endpoint.Address} port {endpoint.Port}: {why}";
    }
}
