using System.Collections.Immutable;
using Sasync.Core.Platform;
using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>What a node needs from its host operating system (or from the simulated kernel).</summary>
public sealed record NodePlatform(
    IKeyEngine KeyEngine,
    ICarpStateSource Carp,
    ICarpDemoter Demoter,
    ImmutableDictionary<DaemonKind, IDaemonControl> Daemons);
