using System.Collections.Immutable;
using Sasync.Core.Net;

namespace Sasync.Core.Simulation.Cluster;

/// <summary>A node's peer network over the <see cref="SimulatedNetwork"/>, started with its process and stopped when the process dies.</summary>
internal interface ISimulatedShell : INodeNetwork
{
    /// <summary>Listens (false when the address is taken) and starts dialling <paramref name="peers"/>.</summary>
    bool Start(ImmutableArray<string> peers);

    /// <summary>The process died: its kernel closes every socket (<paramref name="graceful"/>: FIN, else RST).</summary>
    void Stop(bool graceful);
}
