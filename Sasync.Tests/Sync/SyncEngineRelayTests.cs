using Sasync.Core;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using static Sasync.Tests.PfKey.TestMessages;
using static Sasync.Tests.Sync.EngineHarness;

namespace Sasync.Tests.Sync;

public class SyncEngineRelayTests
{
    // A master with two connected peers whose snapshots are already done.
    private static EngineHarness Master(bool skipSlave = false)
    {
        var h = new EngineHarness(s => s with { SkipSlave = skipSlave }, peers: ["peer-a", "peer-b"]);
        h.Start(LinkState.Up);
        foreach (var (peer, address) in new[] { ("peer-a", "192.0.2.10"), ("peer-b", "192.0.2.11") })
        {
            h.Dumped(h.AwaitSnapshot(peer, RunState.Slave, address), new KernelDump(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty));
        }

        return h;
    }

    [Fact]
    public void Master_relays_a_filtered_kernel_message_to_every_connected_peer()
    {
        var h = Master();
        var add = EspSa(SadbMessageType.Add, 7, IkePid);

        var effects = h.Kernel(Wrap(IkePid, add));

        Assert.Equal([add], PfKeyTo("peer-a", effects));
        Assert.Equal([add], PfKeyTo("peer-b", effects));
        Assert.Equal(1, h.Engine.Status.Counters.MessagesRelayed);
        Assert.Equal(1, h.Engine.Status.Counters.KernelMessagesSeen);
    }

    [Fact]
    public void Master_sends_an_update_as_an_add()
    {
        var h = Master();
        var sent = Assert.Single(PfKeyTo("peer-a", h.Kernel(Wrap(IkePid, EspSa(SadbMessageType.Update, 7, IkePid)))));
        Assert.Equal(SadbMessageType.Add, SadbHeader.Read(sent).Type);
    }

    [Fact]
    public void Our_own_messages_larval_sas_and_replies_are_not_relayed()
    {
        var h = Master();
        var effects = new List<EngineEffect>();
        effects.AddRange(h.Kernel(Wrap(OurPid, EspSa(SadbMessageType.Add, 7, OurPid))));
        effects.AddRange(h.Kernel(Wrap(IkePid, Message(SadbMessageType.Add, SadbSaType.Esp, 1, IkePid, Sa(7), Address(SadbExtensionType.AddressDst, "192.0.2.2")))));
        effects.AddRange(h.Kernel(Wrap(IkePid, Message(SadbMessageType.GetSpi, SadbSaType.Esp, 1, IkePid))));
        effects.AddRange(h.Kernel(EspSa(SadbMessageType.Add, 7, IkePid))); // a broadcast reply, not a copy

        Assert.DoesNotContain(effects, e => e is SendPfKey);
        var filtered = h.Engine.Status.Counters.Filtered;
        Assert.Equal(1, filtered[FilterReason.OwnMessage]);
        Assert.Equal(1, filtered[FilterReason.LarvalAdd]);
        Assert.Equal(1, filtered[FilterReason.NeverSyncedType]);
        Assert.Equal(3, h.Engine.Status.Counters.KernelMessagesSeen);
    }

    [Fact]
    public void Skipslave_keeps_sas_with_a_peer_address_local()
    {
        var h = Master(skipSlave: true);
        var effects = h.Kernel(Wrap(IkePid, EspSa(SadbMessageType.Add, 7, IkePid, src: "192.0.2.11", dst: "192.0.2.99")));
        Assert.DoesNotContain(effects, e => e is SendPfKey);
        Assert.Equal(1, h.Engine.Status.Counters.Filtered[FilterReason.PeerAddress]);
    }

    [Fact]
    public void A_slave_relays_nothing()
    {
        var h = new EngineHarness();
        h.Start(LinkState.Down);
        h.Connect("peer-a");

        var effects = h.Kernel(Wrap(IkePid, EspSa(SadbMessageType.Add, 7, IkePid)));

        Assert.DoesNotContain(effects, e => e is SendPfKey);
        Assert.Equal(1, h.Engine.Status.Counters.Filtered[FilterReason.NotMaster]);
    }

    [Fact]
    public void A_malformed_kernel_message_is_counted()
    {
        var h = Master();
        var broken = EspSa(SadbMessageType.Add, 7, IkePid);
        broken[16] = 0;
        Assert.DoesNotContain(h.Kernel(Wrap(IkePid, broken)), e => e is SendPfKey);
        Assert.Equal(1, h.Engine.Status.Counters.KernelMessagesMalformed);
    }
}
