using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>A node's status: the engine's view plus network totals.</summary>
public sealed record NodeStatus(EngineStatus Engine, long RefusedConnections, long SlowPeerDrops, long FramesUnsendable);
