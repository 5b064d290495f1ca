using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Net;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;
using Sasync.Core.Wire;

namespace Sasync.Tests.Hosting;

public class NodeCoreTests
{
    [Fact]
    public void A_MASTER_turns_promiscuous_mode_on_and_makes_isakmpd_active()
    {
        using var h = new NodeCoreHarness();
        h.Start(LinkState.Up);

        Assert.True(h.Keys.IsPromiscuous);
        Assert.Equal(["active"], h.Host.DaemonControl.Calls);
        Assert.Equal(RunState.Master, h.Engine.RunState);
        Assert.Equal(1, h.Network.Dials);
    }

    [Fact]
    public void A_joining_peer_gets_the_kernel_s_SAs_and_ENDSNAP_on_its_session_only()
    {
        using var h = new NodeCoreHarness();
        h.Start(LinkState.Up);
        h.IkeAdds(0x1001);
        h.IkeAdds(0x1002, 2);
        h.ReadKernel();

        h.LinkUp("peer-a", 7);
        h.Control("peer-a", 7, ControlMessage.StateOf(RunState.Slave));

        var pfkey = h.Network.Sent.Where(s => s.Type == WireMessageType.PfKey).ToList();
        Assert.Equal(2, pfkey.Count(s => SadbHeader.Read(s.Plaintext).Type == SadbMessageType.Add));
        Assert.Contains(ControlMessage.EndSnapshot, h.Network.ControlsTo("peer-a"));
        Assert.All(h.Network.Sent, s => Assert.Equal(7, s.LinkId));
        Assert.Equal(1, h.Engine.Peers.Single().SnapshotsSent);
    }

    [Fact]
    public void Frames_and_reports_of_a_replaced_session_are_dropped()
    {
        using var h = new NodeCoreHarness();
        h.Start();
        h.LinkUp("peer-a", 1);
        h.LinkUp("peer-a", 2);

        h.Control("peer-a", 1, ControlMessage.StateOf(RunState.Master));
        Assert.Equal(0, h.Engine.Peers.Single().FramesReceived);
        h.Handle(new PeerLinkDown("peer-a", 1, "reset"));
        Assert.True(h.Engine.Peers.Single().Connected);

        h.Control("peer-a", 2, ControlMessage.StateOf(RunState.Master));
        Assert.Equal(1, h.Engine.Peers.Single().FramesReceived);
        Assert.Equal(RunState.Master, h.Engine.Peers.Single().PeerRunState);
        h.Handle(new PeerLinkDown("peer-a", 2, "reset"));
        Assert.False(h.Engine.Peers.Single().Connected);
    }

    [Fact]
    public void A_write_the_kernel_takes_at_once_is_counted_before_the_call_returns()
    {
        using var h = new NodeCoreHarness();
        h.Start();
        h.LinkUp("peer-a", 1);
        h.Control("peer-a", 1, ControlMessage.StateOf(RunState.Master));

        h.Core.Handle(new PeerLinkFrames("peer-a", 1, [
            new ReceivedFrame(WireMessageType.PfKey, IkeDaemonMessages.AddEspSa(IkePidOfMaster, 1, 0x2001, NodeCoreHarness.Remote, NodeCoreHarness.Here))]));

        Assert.Empty(h.Posted);
        Assert.Equal(1, h.Engine.Counters.KernelWrites);
        Assert.Equal([0x2001u], h.Host.Kernel.Sas.Select(s => s.Spi));
    }

    [Fact]
    public async Task A_batch_of_frames_is_one_run_of_kernel_writes_whose_readers_wake_once_at_its_end()
    {
        RunRecordingNodeIo? io = null;
        using var h = new NodeCoreHarness(io: h => io = new RunRecordingNodeIo(new SynchronousNodeIo(h.Platform, h.Posted.Enqueue), h.Keys));
        h.Start();
        h.LinkUp("peer-a", 1);
        h.Control("peer-a", 1, ControlMessage.StateOf(RunState.Master));
        while (h.Ike.TryRead(out _))
        {
        }

        var batch = new KernelMessageBatch();
        var ikeReading = h.Ike.ReadBatchAsync(batch, default);
        io!.Watch = () => ikeReading.IsCompleted;
        io.Calls.Clear(); // the control frame above was a run of no writes
        h.Core.Handle(new PeerLinkFrames("peer-a", 1, [
            .. Enumerable.Range(0, 3).Select(i => new ReceivedFrame(
                WireMessageType.PfKey, IkeDaemonMessages.AddEspSa(IkePidOfMaster, (uint)i + 1, 0x3000u + (uint)i, NodeCoreHarness.Remote, NodeCoreHarness.Here)))]));

        // Each write's reply is queued for the IKE daemon's socket, whose reader is not woken before the run ends.
        Assert.Equal(["begin", "write (reader woken: False)", "write (reader woken: False)", "write (reader woken: False)", "end"], io.Calls);
        Assert.True(await ikeReading);
        Assert.Equal(3, batch.Count);
        Assert.Equal([0x3000u, 0x3001u, 0x3002u], h.Host.Kernel.Sas.Select(s => s.Spi));
    }

    // Passes the kernel work on, with the runs to the key engine, and records the runs and the writes in them.
    private sealed class RunRecordingNodeIo(INodeIo inner, IKeyEngineWriteRun keys) : INodeIo
    {
        public List<string> Calls { get; } = [];

        public Func<bool> Watch { get; set; } = () => false;

        public void BeginKernelWrites()
        {
            Calls.Add("begin");
            keys.BeginWriteRun();
        }

        public void EndKernelWrites()
        {
            Calls.Add("end");
            keys.EndWriteRun();
        }

        public KernelWriteCompleted? WriteToKernel(WriteToKernel write) => Record(inner.WriteToKernel(write));

        public KernelWriteCompleted? WriteToKernel(string peer, ReadOnlyMemory<byte> message) => Record(inner.WriteToKernel(peer, message));

        public void SetPromiscuous(bool enabled) => inner.SetPromiscuous(enabled);

        public void RequestDump(RequestKernelDump request) => inner.RequestDump(request);

        public void ControlDaemon(DaemonKind daemon, bool active) => inner.ControlDaemon(daemon, active);

        public void AdjustDemotion(string group, int delta) => inner.AdjustDemotion(group, delta);

        private KernelWriteCompleted? Record(KernelWriteCompleted? completed)
        {
            Calls.Add($"write (reader woken: {Watch()})");
            return completed;
        }
    }

    [Fact]
    public void The_undemote_deadline_fires_through_the_clock_and_gives_the_group_back()
    {
        using var h = new NodeCoreHarness();
        h.Start(LinkState.Down, demoted: true);
        h.LinkUp("peer-a", 1); // connected but silent: only the deadline ends the hold
        Assert.Equal(2, h.Host.CarpGroup.DemoteCounter);

        h.Advance(TimeSpan.FromSeconds(59));
        Assert.True(h.Engine.Demotion.Held);
        h.Advance(TimeSpan.FromSeconds(1));

        Assert.False(h.Engine.Demotion.Held);
        Assert.Equal(1, h.Host.CarpGroup.DemoteCounter);
    }

    [Fact]
    public void A_paced_snapshot_continues_when_the_session_drains()
    {
        using var h = new NodeCoreHarness();
        h.Start(LinkState.Up);
        for (uint i = 0; i < 1500; i++)
        {
            h.IkeAdds(0x3000 + i, i + 1);
        }

        h.ReadKernel();
        h.LinkUp("peer-a", 1);
        h.Control("peer-a", 1, ControlMessage.StateOf(RunState.Slave));
        Assert.True(h.Engine.Peers.Single().SendingSnapshot);
        Assert.Single(h.Network.DrainWaiters);

        h.Network.DrainAll();
        h.Pump();

        Assert.False(h.Engine.Peers.Single().SendingSnapshot);
        Assert.Equal(1500, h.Network.Sent.Count(s => s.Type == WireMessageType.PfKey && SadbHeader.Read(s.Plaintext).Type == SadbMessageType.Add));
        Assert.Equal(ControlMessage.EndSnapshot, h.Network.ControlsTo("peer-a")[^1]);
    }

    [Fact]
    public void A_reload_with_a_new_key_closes_every_session_and_swaps_the_codecs()
    {
        using var h = new NodeCoreHarness();
        h.Start();
        h.LinkUp("peer-a", 1);
        var codecs = new SasyncFrameCodec(new SharedKey(new byte[32]));

        h.Core.Reload(h.Settings with { SharedKey = new SharedKey(new byte[32]), Peers = ["peer-a", "peer-b"] }, codecs);

        Assert.Same(codecs, h.Core.Codecs);
        Assert.Equal([("peer-a", "the shared key changed")], h.Network.Closed);
        Assert.Equal(["peer-a", "peer-b"], h.Network.PeerSets.Single().AsEnumerable());
    }

    [Fact]
    public void A_reload_that_removes_a_silent_peer_lets_the_undemote_happen()
    {
        using var h = new NodeCoreHarness(peers: ["peer-a", "peer-b"]);
        h.Start(LinkState.Down, demoted: true);
        h.LinkUp("peer-a", 1);
        h.LinkUp("peer-b", 2);
        h.Control("peer-a", 1, ControlMessage.StateOf(RunState.Slave));
        Assert.Equal(2, h.Host.CarpGroup.DemoteCounter);

        h.Core.Reload(h.Settings with { Peers = ["peer-a"] }, h.Core.Codecs);
        h.Pump();

        Assert.Equal(["peer-a"], h.Engine.Peers.Select(p => p.Name));
        Assert.False(h.Engine.Demotion.Held);
        Assert.Equal(1, h.Host.CarpGroup.DemoteCounter);
        h.Control("peer-b", 2, ControlMessage.StateOf(RunState.Master)); // its session is closing: stale
        Assert.Equal(["peer-a"], h.Engine.Peers.Select(p => p.Name));
    }

    private const uint IkePidOfMaster = 300;
}
