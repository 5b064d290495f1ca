using System.Collections.Immutable;
using Sasync.Core.Sessions;
using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>A node's status: the engine's view plus network totals, and each peer's session bookkeeping by name.</summary>
public sealed record NodeStatus(
    EngineStatus Engine,
    long RefusedConnections,
    long SlowPeerDrops,
    long FramesUnsendable,
    ImmutableDictionary<string, PeerSessionStatus>? Sessions = null);
