using System.Net.Sockets;
using Sasync.Core.Platform;
using Sasync.Platform.OpenBSD.Structs;

namespace Sasync.Platform.OpenBSD.Control;

/// <summary>
/// Switches iked through its control socket: connect, send one 16-byte imsg (IMSG_CTL_ACTIVE or
/// IMSG_CTL_PASSIVE, no payload, our pid), close; no reply is read, as in the original. Plain
/// managed sockets, so it runs wherever Unix-domain sockets exist.
/// </summary>
internal sealed class IkedSocketControl : IDaemonControl
{
    public const string DefaultPath = "/var/run/iked.sock";

    private readonly TimeSpan timeout;

    public IkedSocketControl(string socketPath = DefaultPath, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        SocketPath = socketPath;
        this.timeout = timeout ?? TimeSpan.FromSeconds(5);
    }

    public string SocketPath { get; }

    /// <summary>The bytes sent for a mode switch by process <paramref name="pid"/>.</summary>
    public static byte[] Request(bool active, uint pid)
    {
        var bytes = new byte[ImsgHeader.Size];
        ImsgHeader.ForMode(active, pid).WriteTo(bytes);
        return bytes;
    }

    public async ValueTask SetActiveAsync(bool active, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), bounded.Token).ConfigureAwait(false);
            var request = Request(active, (uint)Environment.ProcessId);
            var sent = 0;
            while (sent < request.Length)
            {
                sent += await socket.SendAsync(request.AsMemory(sent), SocketFlags.None, bounded.Token).ConfigureAwait(false);
            }
        }
        catch (SocketException e)
        {
            throw new DaemonControlException($"cannot reach iked at {SocketPath}: {e.SocketErrorCode}: {e.Message}", e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DaemonControlException($"iked at {SocketPath} did not accept the request within {timeout.TotalSeconds:0.#} s");
        }
        catch (ArgumentException e)
        {
            throw new DaemonControlException($"cannot use iked socket path {SocketPath}: {e.Message}");
        }
    }
}
