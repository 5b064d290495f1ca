using System.Collections.Immutable;
using Sasync.Core.Wire;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// What a node's core asks of its peer network: <see cref="Net.PeerNetwork"/>'s surface, so that the
/// same node code runs over TCP or over the <see cref="SimulatedNetwork"/>.
/// </summary>
public interface ISimulatedPeerNetwork
{
    /// <summary>Queues a message for session <paramref name="linkId"/> of a peer; false when that session is gone or was just dropped as slow.</summary>
    bool Send(string peer, long linkId, WireMessageType type, ReadOnlyMemory<byte> plaintext);

    /// <summary>Runs <paramref name="drained"/> once the session's queue is mostly written, or at once when it is gone.</summary>
    void NotifyWhenDrained(string peer, long linkId, Action drained);

    /// <summary>Dials every peer without a session now.</summary>
    void DialNow();

    /// <summary>Closes the session with a peer.</summary>
    void Close(string peer, string reason);

    /// <summary>Replaces the configured peers.</summary>
    void SetPeers(ImmutableArray<string> peers);

    /// <summary>Bytes waiting to be written to a peer.</summary>
    long QueuedBytes(string peer);

    long RefusedConnections { get; }

    long SlowPeerDrops { get; }
}

/// <summary>A peer network the simulator starts with its process and stops when the process dies.</summary>
public interface ISimulatedShell : ISimulatedPeerNetwork
{
    /// <summary>Listens (false when the address is taken) and starts dialling <paramref name="peers"/>.</summary>
    bool Start(ImmutableArray<string> peers);

    /// <summary>The process died: its kernel closes every socket (<paramref name="graceful"/>: FIN, else RST).</summary>
    void Stop(bool graceful);
}
