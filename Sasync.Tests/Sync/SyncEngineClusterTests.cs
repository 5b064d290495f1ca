using Microsoft.Extensions.Time.Testing;
using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using Sasync.Core.Wire;
using static Sasync.Tests.PfKey.TestMessages;

namespace Sasync.Tests.Sync;

/// <summary>Two engines wired to each other in memory: effects of one become events of the other.</summary>
public class SyncEngineClusterTests
{
    private sealed class Node(string name, string peer, uint pid, FakeTimeProvider time)
    {
        public string Name { get; } = name;

        public SyncEngine Engine { get; } = new(
            new SyncSettings { CarpInterface = "carp0", SharedKey = new SharedKey(new byte[16]), Peers = [peer] },
            new EngineOptions { Pid = pid },
            time);

        public List<byte[]> KernelWrites { get; } = [];

        public byte[] Sadb { get; set; } = [];

        public int Demotion { get; set; }
    }

    private sealed class Cluster
    {
        private readonly Queue<(Node To, EngineEvent Event)> _pending = new();

        public Cluster()
        {
            A = new Node("a", "b", 1000, Time);
            B = new Node("b", "a", 2000, Time);
        }

        public FakeTimeProvider Time { get; } = new();

        public Node A { get; }

        public Node B { get; }

        private Node Other(Node node) => node == A ? B : A;

        public void Send(Node to, EngineEvent e)
        {
            _pending.Enqueue((to, e));
            while (_pending.TryDequeue(out var next))
            {
                foreach (var effect in next.To.Engine.Handle(next.Event))
                {
                    Carry(next.To, effect);
                }
            }
        }

        private void Carry(Node node, EngineEffect effect)
        {
            switch (effect)
            {
                case SendControl s:
                    _pending.Enqueue((Other(node), new PeerFrameReceived(node.Name, WireMessageType.Control, s.Message.ToBytes())));
                    break;
                case SendPfKey s:
                    _pending.Enqueue((Other(node), new PeerFrameReceived(node.Name, WireMessageType.PfKey, s.Message)));
                    break;
                case WriteToKernel w:
                    node.KernelWrites.Add(w.Message.ToArray());
                    _pending.Enqueue((node, new KernelWriteCompleted(w.Peer, SadbHeader.Read(w.Message.Span).Type, null)));
                    break;
                case RequestKernelDump d:
                    if (d.Use == KernelDumpUse.Digest)
                    {
                        Sasync.Core.Sync.Digest.KernelDigest.TryCompute(node.Sadb, ReadOnlyMemory<byte>.Empty, d.DigestFilter, out var digest, out var problem);
                        _pending.Enqueue((node, new KernelDumpCompleted(d.Peer, d.RequestId, null, problem is null ? digest : null, problem)));
                        break;
                    }

                    if (node.Sadb.Length > 0)
                    {
                        _pending.Enqueue((node, new KernelDumpChunkRead(d.Peer, d.RequestId, new KernelDumpChunk(KernelDumpTable.Sadb, node.Sadb.ToArray()))));
                    }

                    _pending.Enqueue((node, new KernelDumpCompleted(d.Peer, d.RequestId, null)));
                    break;
                case AdjustCarpDemotion adjust:
                    node.Demotion += adjust.Delta;
                    break;
            }
        }

        public void Connect()
        {
            Send(A, new PeerConnected("b", PeerDirection.Outbound, []));
            Send(B, new PeerConnected("a", PeerDirection.Inbound, []));
        }
    }

    [Fact]
    public void A_booting_slave_gets_the_masters_sas_written_with_its_own_pid_and_then_undemotes()
    {
        var cluster = new Cluster();
        var sa = Message(SadbMessageType.Dump, SadbSaType.Esp, 0, 0, Sa(0x42), Address(SadbExtensionType.AddressDst, "192.0.2.2"), Key(SadbExtensionType.KeyEncrypt, 128));
        cluster.A.Sadb = sa;
        cluster.Send(cluster.A, new EngineStarted(LinkState.Up, GroupDemoted: false));
        cluster.Send(cluster.B, new EngineStarted(LinkState.Down, GroupDemoted: true));
        Assert.Equal(1, cluster.B.Demotion);

        cluster.Connect();

        Assert.Equal([SadbMessageType.Flush, SadbMessageType.Add], cluster.B.KernelWrites.Select(w => SadbHeader.Read(w).Type));
        Assert.All(cluster.B.KernelWrites, w => Assert.Equal(2000u, SadbHeader.Read(w).Pid));
        Assert.Equal(0, cluster.B.Demotion);
        Assert.Equal(RunState.Master, cluster.B.Engine.Status.Peers.Single().PeerRunState);
        Assert.Equal(RunState.Slave, cluster.A.Engine.Status.Peers.Single().PeerRunState);
        Assert.Equal(1, cluster.A.Engine.Status.Peers.Single().SnapshotsSent);

        // Afterwards, what the IKE daemon writes on the master is relayed and written on the slave.
        cluster.Send(cluster.A, new KernelMessageReceived(Wrap(77, EspSa(SadbMessageType.Update, 0x43, pid: 77))));

        var relayed = cluster.B.KernelWrites[^1];
        Assert.Equal(SadbMessageType.Add, SadbHeader.Read(relayed).Type);
        Assert.Equal(2000u, SadbHeader.Read(relayed).Pid);
        Assert.Equal(3, cluster.B.Engine.Status.Counters.KernelWrites);
        Assert.Equal(0, cluster.B.Engine.Status.Counters.FramesRejected);
        Assert.Equal(0, cluster.A.Engine.Status.Counters.FramesRejected);
    }

    [Fact]
    public void After_a_failover_the_new_master_syncs_the_old_one()
    {
        var cluster = new Cluster();
        cluster.B.Sadb = Message(SadbMessageType.Dump, SadbSaType.Esp, 0, 0, Sa(0x51), Address(SadbExtensionType.AddressDst, "192.0.2.2"), Key(SadbExtensionType.KeyEncrypt, 128));
        cluster.Send(cluster.A, new EngineStarted(LinkState.Up, GroupDemoted: false));
        cluster.Send(cluster.B, new EngineStarted(LinkState.Down, GroupDemoted: false));
        cluster.Connect();
        var writesBefore = cluster.A.KernelWrites.Count;

        cluster.Send(cluster.A, new CarpStateChanged(LinkState.Down));
        cluster.Send(cluster.B, new CarpStateChanged(LinkState.Up));

        Assert.Equal(0, writesBefore);
        Assert.Equal([SadbMessageType.Flush, SadbMessageType.Add], cluster.A.KernelWrites.Select(w => SadbHeader.Read(w).Type));
        Assert.Equal(RunState.Master, cluster.A.Engine.Status.Peers.Single().PeerRunState);
    }
}
