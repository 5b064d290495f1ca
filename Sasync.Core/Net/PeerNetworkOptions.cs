using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace Sasync.Core.Net;

/// <summary>How a node listens for and dials its peers.</summary>
public sealed record PeerNetworkOptions
{
    /// <summary>Local endpoints to listen on (from <c>listen on</c>; every address when empty).</summary>
    public ImmutableArray<IPEndPoint> Listen { get; init; } = [];

    /// <summary>
    /// Sockets already bound and listening, handed over by a privileged process (privilege
    /// separation); when set they are used instead of binding <see cref="Listen"/>, and the network owns them.
    /// </summary>
    public ImmutableArray<Socket> ListenSockets { get; init; } = [];

    /// <summary>The port peers listen on; sasyncd uses one port for both ends.</summary>
    public int Port { get; init; } = Config.SyncSettings.DefaultPort;

    /// <summary>Source address for outgoing connections, so the peer sees the address it expects.</summary>
    public IPAddress? BindAddress { get; init; }

    /// <summary>Configured peers by name (address or host name as written in the config).</summary>
    public ImmutableArray<string> Peers { get; init; } = [];

    /// <summary>Handshake timeout, stable period and backoff of every peer's sessions.</summary>
    public Sessions.SessionRulesOptions Sessions { get; init; } = new();

    /// <summary>The instance id our HELLO carries; a fresh random one when null (the daemon's case).</summary>
    public UInt128? InstanceId { get; init; }

    /// <summary>How long a dial may take before it counts as a failed attempt (the original's alarm is 5 s too).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A peer with more than this many bytes waiting to be sent is dropped (it cannot keep up).</summary>
    public long MaxQueuedBytesPerPeer { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// At or below this many queued bytes a session counts as drained (<see cref="PeerNetwork.NotifyWhenDrained"/>):
    /// a quarter of <see cref="MaxQueuedBytesPerPeer"/>, at most 1 MiB, which still keeps the socket busy.
    /// </summary>
    public long DrainedBytes => Math.Min(MaxQueuedBytesPerPeer / 4, 1024 * 1024);
}
