using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using Sasync.Platform.OpenBSD.Carp;
using Sasync.Platform.OpenBSD.Control;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Platform.OpenBSD.PfKey;

namespace Sasync.Platform.OpenBSD.Hosting;

/// <summary>
/// Runs a node on the OpenBSD kernel: a PF_KEY socket, the routing socket for carp, the group demote
/// counter, and isakmpd's FIFO and iked's socket. Needs OpenBSD and root.
/// </summary>
public sealed class OpenBsdPlatformProvider(OpenBsdPlatformOptions? options = null) : INodePlatformProvider
{
    private readonly OpenBsdPlatformOptions _options = options ?? new OpenBsdPlatformOptions();

    /// <inheritdoc />
    public string Name => "OpenBSD";

    /// <inheritdoc />
    public NodePlatformSession Open(SyncSettings settings, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        HostOs.RequireOpenBsd("the OpenBSD platform");
        if (RootCheck.Check() is { } notRoot)
        {
            throw new UnauthorizedAccessException(notRoot);
        }

        var keys = PfKeySocket.Open(loggers.CreateLogger("sasyncd.pfkey"));
        var resources = new List<IAsyncDisposable> { keys };
        try
        {
            var demoter = GroupCarpDemoter.Create(loggers.CreateLogger("sasyncd.carp"));
            resources.Add(demoter);
            var carp = RoutingSocketCarpSource.Create(loggers.CreateLogger("sasyncd.carp"));
            var daemons = ImmutableDictionary<DaemonKind, IDaemonControl>.Empty
                .Add(DaemonKind.Isakmpd, new IsakmpdFifoControl(_options.IsakmpdFifo))
                .Add(DaemonKind.Iked, new IkedSocketControl(_options.IkedSocket));
            return new NodePlatformSession(new NodePlatform(keys, carp, demoter, daemons), resources);
        }
        catch
        {
            foreach (var resource in resources)
            {
                resource.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            throw;
        }
    }
}
