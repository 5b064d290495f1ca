using System.Net;
using System.Net.Sockets;

namespace Sasync.Core.Loopback;

/// <summary>
/// Loopback addresses and ports for clusters that run on one machine: node i is 127.0.0.i, and
/// every node uses the same port, as sasyncd peers do.
/// </summary>
public static class LoopbackPorts
{
    /// <summary>The address of node <paramref name="index"/> (1-based): 127.0.0.<paramref name="index"/>.</summary>
    public static IPAddress Node(int index) => new([127, 0, 0, (byte)index]);

    /// <summary>A TCP port that is free right now on 127.0.0.1 .. 127.0.0.<paramref name="nodes"/>.</summary>
    public static int FreePort(int nodes = 3)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            first.Bind(new IPEndPoint(Node(1), 0));
            var port = ((IPEndPoint)first.LocalEndPoint!).Port;
            var others = new List<Socket>();
            try
            {
                for (var i = 2; i <= nodes; i++)
                {
                    var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    others.Add(other);
                    other.Bind(new IPEndPoint(Node(i), port));
                }

                return port;
            }
            catch (SocketException)
            {
            }
            finally
            {
                others.ForEach(s => s.Dispose());
            }
        }

        throw new InvalidOperationException("no loopback port is free on every node address");
    }
}
