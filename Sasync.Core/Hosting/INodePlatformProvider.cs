using Microsoft.Extensions.Logging;
using Sasync.Core.Config;

namespace Sasync.Core.Hosting;

/// <summary>
/// Opens what a node runs on: the OpenBSD kernel (Sasync.Platform.OpenBSD) or a simulated one
/// (<see cref="SimulatedPlatformProvider"/>). <see cref="SyncNodeService"/> opens it once, when it starts.
/// </summary>
public interface INodePlatformProvider
{
    /// <summary>A short name for the log line at start, e.g. <c>OpenBSD</c> or <c>simulated</c>.</summary>
    string Name { get; }

    /// <summary>Opens the kernel interfaces, carp and daemon controls for a node that runs <paramref name="settings"/>.</summary>
    /// <exception cref="IOException">A kernel interface cannot be opened.</exception>
    /// <exception cref="PlatformNotSupportedException">This platform does not run on this operating system.</exception>
    /// <exception cref="UnauthorizedAccessException">The process lacks the privileges (root on OpenBSD).</exception>
    NodePlatformSession Open(SyncSettings settings, ILoggerFactory loggers);
}
