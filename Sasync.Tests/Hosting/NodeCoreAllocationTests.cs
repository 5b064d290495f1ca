using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Net;
using Sasync.Core.Platform;
using Sasync.Core.Sessions;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;
using Sasync.Core.Wire;

namespace Sasync.Tests.Hosting;

/// <summary>
/// The daemon's steady state allocates (next to) nothing per relayed message: a NodeCore driven synchronously on
/// the test's thread, its allocations counted as bench sync counts them (the simulated kernel's set aside).
/// </summary>
public sealed class NodeCoreAllocationTests
{
    // The core itself allocates nothing per message (the whole daemon path's target in bench sync is 64 bytes);
    // a few bytes leave room for the amortized growth of its queues.
    private const double MaxBytesPerMessage = 8;
    private const int WarmUp = 500;
    private const int Measured = 4000;
    private const uint OurPid = 100;
    private const uint IkePid = 200;
    private const uint MasterIkePid = 300;
    private static readonly IPAddress Here = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress Remote = IPAddress.Parse("198.51.100.1");

    [Fact]
    public void A_backup_writes_the_MASTER_s_messages_to_its_kernel_without_allocating_per_message()
    {
        using var node = new Node();
        node.Start(LinkState.Down);
        node.Handle(new PeerLinkFrames("peer-a", 1, [new ReceivedFrame(WireMessageType.Control, ControlMessage.StateOf(RunState.Master).ToBytes())]));
        var handled = 0;
        // Batches of a few frames, as a socket read brings them, each handed back once handled.
        var batches = Enumerable.Range(0, (WarmUp + Measured) / 4)
            .Select(b => new PeerLinkFrames("peer-a", 1, [.. Enumerable.Range(b * 4, 4).Select(i =>
                new ReceivedFrame(WireMessageType.PfKey, IkeDaemonMessages.AddEspSa(MasterIkePid, (uint)i + 1, 0x10000 + (uint)i, Remote, Here)))])
            { Handled = () => handled++ })
            .ToList();

        var bytes = node.Measure(batches, WarmUp / 4);

        Assert.Equal(WarmUp + Measured, node.Host.Kernel.SaCount);
        Assert.Equal(batches.Count, handled);
        Assert.True(bytes / (double)Measured <= MaxBytesPerMessage, $"{bytes / (double)Measured:0.0} bytes per message written");
    }

    [Fact]
    public void A_MASTER_relays_its_kernel_s_messages_without_allocating_per_message()
    {
        using var node = new Node();
        node.Start(LinkState.Up);
        node.Handle(new PeerLinkFrames("peer-a", 1, [new ReceivedFrame(WireMessageType.Control, ControlMessage.StateOf(RunState.Slave).ToBytes())]));
        Assert.Equal(1, node.Core.Status().Engine.Peers.Single().SnapshotsSent);
        var ike = node.Host.OpenKeyEngine(IkePid);
        for (var i = 0; i < WarmUp + Measured; i++)
        {
            Assert.True(ike.WriteAsync(IkeDaemonMessages.AddEspSa(IkePid, (uint)i + 1, 0x10000 + (uint)i, Here, Remote), default).IsCompletedSuccessfully);
        }

        // What the daemon's socket holds (promiscuous copies and the kernel's broadcasts), read in batches of 16.
        var batches = new List<KernelMessagesRead>();
        var batch = new List<ReadOnlyMemory<byte>>();
        while (node.Keys.TryRead(out var message))
        {
            batch.Add(message);
            if (batch.Count == 16)
            {
                batches.Add(new KernelMessagesRead(batch));
                batch = [];
            }
        }

        batches.Add(new KernelMessagesRead(batch));
        var sentBefore = node.Network.PfKeySent;

        var bytes = node.Measure(batches, batches.Count * WarmUp / (WarmUp + Measured));

        Assert.Equal(WarmUp + Measured, node.Network.PfKeySent - sentBefore);
        Assert.True(bytes / (double)Measured <= MaxBytesPerMessage, $"{bytes / (double)Measured:0.0} bytes per message relayed");
    }

    /// <summary>One node on a simulated host over <see cref="SynchronousNodeIo"/>, with a network that only counts.</summary>
    private sealed class Node : IDisposable
    {
        private readonly Queue<object> _posted = new();

        public Node()
        {
            var settings = new SyncSettings { CarpInterface = "carp0", SharedKey = new SharedKey(new byte[16]), Peers = ["peer-a"] };
            Keys = Host.OpenKeyEngine(OurPid);
            var platform = new NodePlatform(Keys, Host.Carp, Host.CarpGroup, ImmutableDictionary<DaemonKind, IDaemonControl>.Empty.Add(DaemonKind.Isakmpd, Host.DaemonControl));
            Core = new NodeCore(
                settings, new EngineOptions { Pid = OurPid }, new SasyncFrameCodec(settings.SharedKey), Network,
                new SynchronousNodeIo(platform, _posted.Enqueue), new FakeTimeProvider(), NullLogger.Instance, _posted.Enqueue);
        }

        // Room for every broadcast and promiscuous copy of the run in the daemon's socket.
        public SimulatedNode Host { get; } = new(new SimulatedKernelOptions { ClientQueueCapacity = 4 * (WarmUp + Measured) });

        public SimulatedKeyClient Keys { get; }

        public CountingNetwork Network { get; } = new();

        public NodeCore Core { get; }

        public void Start(LinkState carp)
        {
            Host.Carp.Set(carp);
            Handle(new EngineStarted(carp, false));
            Handle(new PeerLinkUp("peer-a", 1, true, new IPEndPoint(Remote, 500)));
        }

        public void Handle(object item)
        {
            Core.Handle(item);
            while (_posted.TryDequeue(out var posted))
            {
                Core.Handle(posted);
            }
        }

        /// <summary>Handles the first <paramref name="warmUp"/> items, then counts what handling the rest allocates.</summary>
        public long Measure<T>(List<T> items, int warmUp)
            where T : notnull
        {
            for (var i = 0; i < warmUp; i++)
            {
                Handle(items[i]);
            }

            var stretch = DaemonAllocationMeter.Begin();
            for (var i = warmUp; i < items.Count; i++)
            {
                Core.Handle(items[i]);
            }

            var bytes = stretch.End();
            Assert.Empty(_posted);
            return bytes;
        }

        public void Dispose() => Core.Dispose();
    }

    /// <summary>Counts what the node sends, keeping nothing.</summary>
    private sealed class CountingNetwork : INodeNetwork
    {
        public long PfKeySent { get; private set; }

        public long RefusedConnections => 0;

        public long SlowPeerDrops => 0;

        public ImmutableDictionary<string, PeerSessionStatus> SessionStatus() => ImmutableDictionary<string, PeerSessionStatus>.Empty;

        public bool Send(string peer, long linkId, WireMessageType type, ReadOnlyMemory<byte> plaintext)
        {
            if (type == WireMessageType.PfKey)
            {
                PfKeySent++;
            }

            return true;
        }

        public void NotifyWhenDrained(string peer, long linkId, Action drained) => drained();

        public void DialNow()
        {
        }

        public void Close(string peer, string reason)
        {
        }

        public void Restart(string peer, string reason)
        {
        }

        public void SetPeers(ImmutableArray<string> peers)
        {
        }

        public long QueuedBytes(string peer) => 0;
    }
}
