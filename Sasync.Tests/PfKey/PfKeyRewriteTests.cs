using Sasync.Core.PfKey;
using static Sasync.Tests.PfKey.TestMessages;

namespace Sasync.Tests.PfKey;

public class PfKeyRewriteTests
{
    [Fact]
    public void An_update_goes_to_peers_as_an_add_without_the_proxy_address()
    {
        var update = Message(SadbMessageType.Update, SadbSaType.Esp, 9, 200,
            Sa(7),
            Address(SadbExtensionType.AddressSrc, "192.0.2.1"),
            Address(SadbExtensionType.AddressDst, "192.0.2.2"),
            Address(SadbExtensionType.AddressProxy, "192.0.2.3"),
            Key(SadbExtensionType.KeyEncrypt, 128));

        var sent = PfKeyRewrite.ForPeers(Parse(update));

        var message = Parse(sent.ToArray());
        Assert.Equal(SadbMessageType.Add, message.Type);
        Assert.Equal([SadbExtensionType.Sa, SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst, SadbExtensionType.KeyEncrypt], message.Extensions.Select(e => e.Type));
        Assert.Equal(update.Length - 24, sent.Length);
        Assert.Equal(SadbSaType.Esp, message.Header.SaType);
        Assert.Equal(9u, message.Header.Sequence);
        Assert.Equal(update.AsSpan(16, 64).ToArray(), sent.Span.Slice(16, 64).ToArray());
        Assert.Equal(update.AsSpan(16 + 64 + 24).ToArray(), sent.Span[(16 + 64)..].ToArray());
    }

    [Fact]
    public void Other_messages_go_to_peers_byte_for_byte()
    {
        var delete = Message(SadbMessageType.Delete, SadbSaType.Esp, 9, 200, Sa(7), Address(SadbExtensionType.AddressDst, "192.0.2.2"));
        Assert.Equal(delete, PfKeyRewrite.ForPeers(Parse(delete)).ToArray());
    }

    [Fact]
    public void A_message_for_our_kernel_carries_our_pid_and_the_given_sequence()
    {
        var add = EspSa(SadbMessageType.Add, 7, pid: 200, seq: 5);

        Assert.True(PfKeyRewrite.TryPrepareForKernel(add, pid: 100, sequence: 77, out var prepared, out _));

        var header = SadbHeader.Read(prepared);
        Assert.Equal(100u, header.Pid);
        Assert.Equal(77u, header.Sequence);
        Assert.Equal(add.AsSpan(0, 8).ToArray(), prepared.AsSpan(0, 8).ToArray());
        Assert.Equal(add.AsSpan(16).ToArray(), prepared.AsSpan(16).ToArray());
        Assert.Equal(200u, SadbHeader.Read(add).Pid); // the input is not changed
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(40)]
    public void An_unparsable_message_is_not_prepared(int length)
    {
        var add = EspSa(SadbMessageType.Add, 7, pid: 200);
        Assert.False(PfKeyRewrite.TryPrepareForKernel(add.AsMemory(0, length), 100, 1, out var prepared, out var error));
        Assert.Null(prepared);
        Assert.False(string.IsNullOrEmpty(error.Message));
    }
}
