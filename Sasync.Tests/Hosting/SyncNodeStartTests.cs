using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Net;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;
using Sasync.Tests.Support;

namespace Sasync.Tests.Hosting;

public class SyncNodeStartTests
{
    /// <summary>A carp interface that goes MASTER right after anyone reads its state: the start-up race, made certain.</summary>
    private sealed class CarpChangingAfterRead(SimulatedCarp carp) : ICarpStateSource
    {
        public ValueTask<LinkState> ReadAsync(string interfaceName, CancellationToken cancellationToken)
        {
            var state = carp.State;
            carp.Set(LinkState.Up);
            return ValueTask.FromResult(state);
        }

        public IAsyncEnumerable<LinkState> WatchAsync(string interfaceName, CancellationToken cancellationToken) =>
            carp.WatchAsync(interfaceName, cancellationToken);
    }

    [Fact]
    public async Task The_node_starts_from_the_state_its_carp_watch_reports_so_a_change_at_start_is_not_lost()
    {
        var host = new SimulatedNode();
        host.Carp.Set(LinkState.Down);
        await using var keys = host.OpenKeyEngine(100);
        var carp = new CarpChangingAfterRead(host.Carp);
        var platform = new NodePlatform(keys, carp, host.CarpGroup, ImmutableDictionary<DaemonKind, IDaemonControl>.Empty.Add(DaemonKind.Isakmpd, host.DaemonControl));
        var settings = new SyncSettings { CarpInterface = "carp0", SharedKey = new SharedKey(new byte[16]) };
        await using var node = new SyncNode(
            settings, platform, new SasyncFrameCodec(settings.SharedKey),
            new PeerNetworkOptions { Listen = [new IPEndPoint(IPAddress.Loopback, 0)], Port = 0 },
            TimeProvider.System, NullLoggerFactory.Instance);

        await node.StartAsync(default);
        await Eventually.TrueAsync(async () => (await node.GetStatusAsync(default)).Engine.StartedAt is not null, "the engine started");
        var carpNow = host.Carp.State;
        await Eventually.TrueAsync(async () => (await node.GetStatusAsync(default)).Engine.RunState == CarpRunState.FromLinkState(carpNow),
            $"the engine follows carp ({carpNow})", TimeSpan.FromSeconds(5));

        host.Carp.Set(carpNow == LinkState.Up ? LinkState.Down : LinkState.Up);
        await Eventually.TrueAsync(async () => (await node.GetStatusAsync(default)).Engine.RunState == CarpRunState.FromLinkState(host.Carp.State),
            "the engine follows the next change too");
    }
}
