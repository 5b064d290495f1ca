using System.Net;
using Sasync.Core.Config;
using Sasync.Core.PfKey;
using static Sasync.Tests.PfKey.TestMessages;

namespace Sasync.Tests.PfKey;

public class SyncFilterTests
{
    private const uint OurPid = 100;
    private const uint IkePid = 200;

    private static SyncFilterContext Context(FlushMode flush = FlushMode.Startup, bool skipSlave = false, params string[] peers) =>
        new(OurPid, flush, skipSlave, [.. peers.Select(IPAddress.Parse)]);

    private static SyncDecision Decide(byte[] inner, SyncFilterContext context, uint writer = IkePid) =>
        SyncFilter.Decide(new PromiscuousCopy(writer, PfKeyView.Of(Parse(inner))), context);

    [Theory]
    [InlineData(SadbMessageType.XPromisc)]
    [InlineData(SadbMessageType.Dump)]
    [InlineData(SadbMessageType.Get)]
    [InlineData(SadbMessageType.GetSpi)]
    [InlineData(SadbMessageType.Acquire)]
    [InlineData(SadbMessageType.XAskPolicy)]
    [InlineData(SadbMessageType.Register)]
    public void Some_types_are_never_synced(SadbMessageType type)
    {
        var decision = Decide(Message(type, SadbSaType.Esp, 1, IkePid), Context());
        Assert.False(decision.Sync);
        Assert.Equal(FilterReason.NeverSyncedType, decision.Reason);
    }

    [Theory]
    [InlineData(SadbMessageType.Delete)]
    [InlineData(SadbMessageType.XAddFlow)]
    [InlineData(SadbMessageType.XDelFlow)]
    [InlineData(SadbMessageType.Expire)]
    [InlineData(SadbMessageType.Update)]
    public void Changes_are_synced(SadbMessageType type)
    {
        var message = Message(type, SadbSaType.Esp, 1, IkePid, Sa(7), Address(SadbExtensionType.AddressDst, "192.0.2.2"));
        Assert.Equal(FilterReason.Synced, Decide(message, Context()).Reason);
    }

    [Fact]
    public void An_add_without_an_encryption_key_is_larval_and_skipped()
    {
        var larval = Message(SadbMessageType.Add, SadbSaType.Esp, 1, IkePid, Sa(7), Address(SadbExtensionType.AddressDst, "192.0.2.2"));
        Assert.Equal(FilterReason.LarvalAdd, Decide(larval, Context()).Reason);
        Assert.True(Decide(EspSa(SadbMessageType.Add, 7, IkePid), Context()).Sync);
    }

    [Theory]
    [InlineData(FlushMode.Startup, true)]
    [InlineData(FlushMode.Sync, true)]
    [InlineData(FlushMode.Never, false)]
    public void A_flush_is_skipped_only_under_flushmode_never(FlushMode mode, bool synced)
    {
        var decision = Decide(Message(SadbMessageType.Flush, SadbSaType.Unspec, 1, IkePid), Context(mode));
        Assert.Equal(synced, decision.Sync);
        Assert.Equal(synced ? FilterReason.Synced : FilterReason.FlushNever, decision.Reason);
    }

    [Fact]
    public void Messages_we_wrote_ourselves_are_skipped_by_inner_pid_or_by_wrapper_seq()
    {
        var ours = EspSa(SadbMessageType.Add, 7, OurPid);
        Assert.Equal(FilterReason.OwnMessage, Decide(ours, Context(), writer: OurPid).Reason);
        Assert.Equal(FilterReason.OwnMessage, Decide(ours, Context(), writer: 0).Reason);
        var writtenByUsWithOtherPid = EspSa(SadbMessageType.Add, 7, IkePid);
        Assert.Equal(FilterReason.OwnMessage, Decide(writtenByUsWithOtherPid, Context(), writer: OurPid).Reason);
    }

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.2", "192.0.2.1", true)]
    [InlineData("192.0.2.1", "192.0.2.2", "192.0.2.2", true)]
    [InlineData("192.0.2.1", "192.0.2.2", "192.0.2.9", false)]
    [InlineData("192.0.2.1", "192.0.2.2", "::ffff:192.0.2.2", true)]
    [InlineData("2001:db8::1", "2001:db8::2", "2001:db8::2", true)]
    // The original compares only the first 4 bytes of IPv6 addresses; these differ later.
    [InlineData("2001:db8::1", "2001:db8::2", "2001:db8::3", false)]
    public void Skipslave_skips_messages_whose_source_or_destination_is_a_connected_peer(string src, string dst, string peer, bool skipped)
    {
        var message = EspSa(SadbMessageType.Add, 7, IkePid, src, dst);
        Assert.Equal(skipped ? FilterReason.PeerAddress : FilterReason.Synced, Decide(message, Context(skipSlave: true, peers: peer)).Reason);
        Assert.Equal(FilterReason.Synced, Decide(message, Context(skipSlave: false, peers: peer)).Reason);
    }
}
