using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Sasync.Core.Config;
using Sasync.Core.Net;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;

namespace Sasync.Core.Loopback;

/// <summary>
/// Plays an IKE daemon setting up tunnels on a <see cref="LoopbackClusterNode"/>, and waits for what
/// the cluster does with them: shared by the demo and the sync benchmark.
/// </summary>
public static class ClusterWorkload
{
    /// <summary>The remote gateway every simulated tunnel leads to.</summary>
    public static readonly IPAddress RemoteGateway = IPAddress.Parse("198.51.100.1");

    /// <summary>
    /// A cluster of <paramref name="nodes"/> sized for <paramref name="tunnels"/> tunnels written in a burst:
    /// kernel socket queues and peer send queues large enough that nothing is dropped, and a fresh key.
    /// </summary>
    public static LoopbackClusterOptions ClusterOptions(int nodes, int tunnels) => new()
    {
        Nodes = nodes,
        SharedKey = new SharedKey(RandomNumberGenerator.GetBytes(32)),
        // Every tunnel is two ADDs whose promiscuous copies and replies all wait in the daemon's socket.
        KernelOptions = new SimulatedKernelOptions { ClientQueueCapacity = Math.Max(4096, 8 * tunnels) },
        MaxQueuedBytesPerPeer = Math.Max(new PeerNetworkOptions().MaxQueuedBytesPerPeer, 2048L * tunnels),
    };

    /// <summary>The SPI of tunnel <paramref name="index"/>: distinct for any index below 2^28.</summary>
    public static uint Spi(int index) => 0x10000000u + (uint)index;

    /// <summary>Writes <paramref name="count"/> ESP SAs (tunnels first .. first+count-1) as the node's IKE daemon.</summary>
    public static async Task AddSasAsync(LoopbackClusterNode node, int first, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var messages = new TunnelMessages(node.Address, RemoteGateway);
        for (var i = first; i < first + count; i++)
        {
            await node.WriteAsIkeAsync(messages.Sa(i), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes one flow per tunnel: a distinct pair of /24s for any index below 2^24.</summary>
    public static async Task AddFlowsAsync(LoopbackClusterNode node, int first, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var messages = new TunnelMessages(node.Address, RemoteGateway);
        for (var i = first; i < first + count; i++)
        {
            await node.WriteAsIkeAsync(messages.Flow(i), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (true) or <paramref name="timeout"/> passes (false).</summary>
    public static async Task<bool> WaitUntilAsync(Func<ValueTask<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <inheritdoc cref="WaitUntilAsync(Func{ValueTask{bool}}, TimeSpan, CancellationToken)"/>
    public static Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitUntilAsync(() => ValueTask.FromResult(condition()), timeout, cancellationToken);

    /// <summary>
    /// One failover: <paramref name="from"/>'s carp goes BACKUP and, once its IKE daemon is passive, <paramref name="to"/>'s
    /// goes MASTER; timed from then until <paramref name="to"/>'s IKE daemon is told "active". Null and why when a step
    /// did not finish within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<(Takeover? Takeover, string? Error)> FailOverAsync(LoopbackClusterNode from, LoopbackClusterNode to, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        from.Host.Carp.Set(LinkState.Down);
        if (!await WaitUntilAsync(() => from.Host.DaemonControl.IsActive == false, timeout, cancellationToken).ConfigureAwait(false))
        {
            return (null, $"node{from.Index} did not go passive");
        }

        var calls = to.Host.DaemonControl.CallCount;
        var startedAt = DateTimeOffset.UtcNow;
        var paused = GC.GetTotalPauseDuration();
        var timer = Stopwatch.StartNew();
        var start = Stopwatch.GetTimestamp();
        to.Host.Carp.Set(LinkState.Up);
        // Timed to the call itself (RecordingDaemonControl.LastCall), not to when we see it: on a loaded machine the
        // benchmark's own thread may wait milliseconds for a core. So poll instead of spinning, which would take a
        // core from the nodes while they fail over.
        while (!(to.Host.DaemonControl.CallCount > calls && to.Host.DaemonControl.LastCall is { Active: true }))
        {
            if (timer.Elapsed > timeout)
            {
                return (null, $"node{to.Index} did not go active");
            }

            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }

        var call = to.Host.DaemonControl.LastCall!.Value;
        return (new Takeover(startedAt, Stopwatch.GetElapsedTime(start, call.Timestamp).TotalMilliseconds, (call.GcPauseTotal - paused).TotalMilliseconds), null);
    }

    /// <summary>The highest tunnel index whose SPI and networks are distinct from every other's.</summary>
    public const int MaxTunnelIndex = (1 << 24) - 1;

    // Tunnel i's remote /24 is 172.16.0.0/12-style space indexed by i / 65536, so that with the local
    // Network(i), which wraps at 65536, every tunnel has its own pair.
    /// <summary>The remote /24 of tunnel <paramref name="index"/>: with <see cref="IkeDaemonMessages.Network"/>, a distinct pair for any index below 2^24.</summary>
    public static IPAddress RemoteNetwork(int index)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, RemoteNetworkAddress(index));
        return new IPAddress(bytes);
    }

    /// <summary><see cref="RemoteNetwork"/> as a number (host order).</summary>
    public static uint RemoteNetworkAddress(int index) => 0xAC000000u | ((uint)(index >> 16) & 0xFFFFu) << 8;
}

/// <summary>A timed failover: when the new MASTER's carp went up, and how long until its IKE daemon was told "active", and how much of it the GC held the process.</summary>
public readonly record struct Takeover(DateTimeOffset StartedAt, double Milliseconds, double GcPauseMilliseconds);
