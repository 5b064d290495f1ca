using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace Sasync.Core.Net;

/// <summary>The listening sockets for peers, bound as <see cref="PeerNetwork"/> needs them (also by a privileged process for its network process).</summary>
public static class PeerListeners
{
    /// <summary>Binds every listen endpoint (every address when none is configured); throws when one cannot be bound, closing the others.</summary>
    public static ImmutableArray<Socket> Bind(PeerNetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoints = options.Listen.IsDefaultOrEmpty
            ? [new IPEndPoint(IPAddress.IPv6Any, options.Port)]
            : options.Listen;
        var listeners = ImmutableArray.CreateBuilder<Socket>();
        try
        {
            foreach (var endpoint in endpoints)
            {
                var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                listeners.Add(listener);
                if (endpoint.Address.Equals(IPAddress.IPv6Any))
                {
                    listener.DualMode = true;
                }

                // No ReuseAddress: on Linux .NET maps it to SO_REUSEADDR and SO_REUSEPORT, and the latter
                // lets a second daemon bind the same port silently. Without it .NET still sets SO_REUSEADDR
                // alone on Unix, so a restart binds again while old connections sit in TIME_WAIT.
                try
                {
                    listener.Bind(endpoint);
                }
                catch (SocketException e)
                {
                    throw new ListenFailedException(endpoint, e);
                }

                // The kernel clamps the backlog to its maximum (somaxconn).
                listener.Listen(int.MaxValue);
            }
        }
        catch
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }

            throw;
        }

        return listeners.ToImmutable();
    }
}
