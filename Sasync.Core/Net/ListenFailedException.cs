using System.Net;
using System.Net.Sockets;

namespace Sasync.Core.Net;

/// <summary>A listen address could not be bound; the message is the one the daemon prints before it exits 1.</summary>
public sealed class ListenFailedException : Exception
{
    public ListenFailedException(IPEndPoint endpoint, SocketException cause)
        : base(Describe(endpoint, cause), cause)
    {
        EndPoint = endpoint;
    }

    public ListenFailedException()
    {
        EndPoint = new IPEndPoint(IPAddress.None, 0);
    }

    public ListenFailedException(string message)
        : base(message)
    {
        EndPoint = new IPEndPoint(IPAddress.None, 0);
    }

    public ListenFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        EndPoint = new IPEndPoint(IPAddress.None, 0);
    }

    public IPEndPoint EndPoint { get; }

    private static string Describe(IPEndPoint endpoint, SocketException cause)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(cause);
        var why = cause.SocketErrorCode == SocketError.AddressAlreadyInUse ? "address already in use" : cause.Message;
        return $"cannot listen on {endpoint.Address} port {endpoint.Port}: {why}";
    }
}
