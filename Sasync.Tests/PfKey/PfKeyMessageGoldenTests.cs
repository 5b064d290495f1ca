using System.Net;
using Sasync.Core.PfKey;
using static Sasync.Tests.PfKey.PfKeyGolden;

namespace Sasync.Tests.PfKey;

public class PfKeyMessageGoldenTests
{
    /// <summary>One message of every type, as an IKE daemon or the kernel would lay it out.</summary>
    public static TheoryData<string, byte[], SadbExtensionType[]> Messages => new()
    {
        { "GETSPI", Message(1, 2, 1, 42, AddressSrc, AddressDst, SpiRange), [SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst, SadbExtensionType.SpiRange] },
        { "UPDATE", Message(2, 2, 2, 42, Sa, LifetimeHard, LifetimeSoft, AddressSrc, AddressDst, AddressProxy, KeyAuth, KeyEncrypt, IdentitySrc, IdentityDst, UdpEncap, Tag, Tap, Rdomain, Iface),
            [SadbExtensionType.Sa, SadbExtensionType.LifetimeHard, SadbExtensionType.LifetimeSoft, SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst,
             SadbExtensionType.AddressProxy, SadbExtensionType.KeyAuth, SadbExtensionType.KeyEncrypt, SadbExtensionType.IdentitySrc, SadbExtensionType.IdentityDst,
             SadbExtensionType.XUdpEncap, SadbExtensionType.XTag, SadbExtensionType.XTap, SadbExtensionType.XRdomain, SadbExtensionType.XIface] },
        { "ADD", Message(3, 2, 3, 42, Sa, LifetimeHard, AddressSrc, AddressDst, KeyAuth, KeyEncrypt, SrcFlow, DstFlow, SrcMask, DstMask, Protocol, FlowType, LifetimeLastUse, Counter, Replay),
            [SadbExtensionType.Sa, SadbExtensionType.LifetimeHard, SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst, SadbExtensionType.KeyAuth,
             SadbExtensionType.KeyEncrypt, SadbExtensionType.XSrcFlow, SadbExtensionType.XDstFlow, SadbExtensionType.XSrcMask, SadbExtensionType.XDstMask,
             SadbExtensionType.XProtocol, SadbExtensionType.XFlowType, SadbExtensionType.XLifetimeLastUse, SadbExtensionType.XCounter, SadbExtensionType.XReplay] },
        { "DELETE", Message(4, 2, 4, 42, Sa, AddressSrc, AddressDst6, Rdomain), [SadbExtensionType.Sa, SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst, SadbExtensionType.XRdomain] },
        { "GET", Message(5, 1, 5, 42, Sa, AddressSrc, AddressDst), [SadbExtensionType.Sa, SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst] },
        { "ACQUIRE", Message(6, 2, 6, 0, AddressSrc, AddressDst, IdentitySrc, Sensitivity, Proposal),
            [SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst, SadbExtensionType.IdentitySrc, SadbExtensionType.Sensitivity, SadbExtensionType.Proposal] },
        { "REGISTER", Message(7, 2, 7, 42, SupportedAuth, SupportedEncrypt, SupportedComp), [SadbExtensionType.SupportedAuth, SadbExtensionType.SupportedEncrypt, SadbExtensionType.XSupportedComp] },
        { "EXPIRE", Message(8, 2, 8, 0, Sa, LifetimeCurrent, LifetimeSoft, AddressSrc, AddressDst),
            [SadbExtensionType.Sa, SadbExtensionType.LifetimeCurrent, SadbExtensionType.LifetimeSoft, SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst] },
        { "FLUSH", Message(9, 0, 9, 42), [] },
        { "DUMP", Message(10, 2, 0, 0, Sa, LifetimeCurrent, AddressSrc, AddressDst, KeyEncrypt, Sa2, Dst2, SaType2, Replay, Mtu, Counter),
            [SadbExtensionType.Sa, SadbExtensionType.LifetimeCurrent, SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst, SadbExtensionType.KeyEncrypt,
             SadbExtensionType.XSa2, SadbExtensionType.XDst2, SadbExtensionType.XSaType2, SadbExtensionType.XReplay, SadbExtensionType.XMtu, SadbExtensionType.XCounter] },
        { "X_PROMISC", Message(11, 1, 11, 42), [] },
        { "X_ADDFLOW", Message(12, 2, 12, 42, AddressDst, SrcFlow, DstFlow, SrcMask, DstMask, Protocol, FlowType, IdentitySrc),
            [SadbExtensionType.AddressDst, SadbExtensionType.XSrcFlow, SadbExtensionType.XDstFlow, SadbExtensionType.XSrcMask, SadbExtensionType.XDstMask,
             SadbExtensionType.XProtocol, SadbExtensionType.XFlowType, SadbExtensionType.IdentitySrc] },
        { "X_DELFLOW", Message(13, 2, 13, 42, SrcFlow, DstFlow, SrcMask, DstMask, FlowType),
            [SadbExtensionType.XSrcFlow, SadbExtensionType.XDstFlow, SadbExtensionType.XSrcMask, SadbExtensionType.XDstMask, SadbExtensionType.XFlowType] },
        { "X_GRPSPIS", Message(14, 2, 14, 42, Sa, AddressDst, Sa2, Dst2, SaType2),
            [SadbExtensionType.Sa, SadbExtensionType.AddressDst, SadbExtensionType.XSa2, SadbExtensionType.XDst2, SadbExtensionType.XSaType2] },
        { "X_ASKPOLICY", Message(15, 0, 15, 42, Policy), [SadbExtensionType.XPolicy] },
        { "X_SPDDUMP", Message(16, 2, 0, 0, AddressDst, SrcFlow, DstFlow, SrcMask, DstMask, Protocol, FlowType, LocalCredentials, Unknown99),
            [SadbExtensionType.AddressDst, SadbExtensionType.XSrcFlow, SadbExtensionType.XDstFlow, SadbExtensionType.XSrcMask, SadbExtensionType.XDstMask,
             SadbExtensionType.XProtocol, SadbExtensionType.XFlowType, SadbExtensionType.XLocalCredentials, (SadbExtensionType)99] },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Parse_reads_header_and_extensions_in_order(string typeName, byte[] bytes, SadbExtensionType[] expected)
    {
        Assert.True(PfKeyMessage.TryParse(bytes, out var message, out var error), error.ToString());
        Assert.Equal(typeName, PfKeyNames.MessageTypeName(message.Type));
        Assert.Equal(2, message.Header.Version);
        Assert.Equal(bytes.Length, message.Header.ByteLength);
        Assert.Equal(expected, message.Extensions.Select(e => e.Type));
        Assert.Equal(bytes.Length, 16 + message.Extensions.Sum(e => e.Bytes.Length));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Parse_then_build_returns_the_identical_bytes(string typeName, byte[] bytes, SadbExtensionType[] expected)
    {
        Assert.True(PfKeyMessage.TryParse(bytes, out var message, out _));
        Assert.Equal(bytes, PfKeyMessageBuilder.From(message).Build());

        // Through the typed records too: every writer reproduces what its reader saw.
        var typed = new PfKeyMessageBuilder(message.Type, message.Header.SaType, message.Header.Sequence, message.Header.Pid);
        foreach (var extension in message.ReadTypedExtensions())
        {
            typed.Add(extension);
        }

        Assert.Equal(bytes, typed.Build());
        Assert.Equal(expected.Length, typed.Extensions.Count);
        Assert.NotNull(typeName);
    }

    [Fact]
    public void Builder_lays_out_an_add_from_typed_records()
    {
        var expected = Message(3, 2, 1, 42, Sa, AddressSrc, AddressDst6, KeyEncrypt);
        var builder = new PfKeyMessageBuilder(SadbMessageType.Add, SadbSaType.Esp, 1, 42)
            .Add(new SaExtension(0x1234, 32, SadbSaState.Mature, SadbAuthAlgorithm.XSha2_256, SadbEncryptionAlgorithm.XAes, SadbSaFlags.XTunnel | SadbSaFlags.XUdpEncap))
            .Add(new AddressExtension(SadbExtensionType.AddressSrc, IPAddress.Parse("192.0.2.1")))
            .Add(new AddressExtension(SadbExtensionType.AddressDst, IPAddress.Parse("2001:db8::1")))
            .Add(KeyExtension.FromKey(SadbExtensionType.KeyEncrypt, Convert.FromHexString("000102030405060708090a0b0c0d0e0f")));
        Assert.Equal(expected.Length, builder.ByteLength);
        Assert.Equal(expected, builder.Build());
        Assert.True(builder.TryBuildMessage(out var message, out _));
        Assert.True(message.TryGetSa(out var sa));
        Assert.Equal(0x1234u, sa.Spi);
        Assert.True(message.TryGetAddress(SadbExtensionType.AddressDst, out var dst));
        Assert.Equal(IPAddress.Parse("2001:db8::1"), dst.Address);
        Assert.True(message.TryGetKey(SadbExtensionType.KeyEncrypt, out var key));
        Assert.Equal(128, key.Bits);
        Assert.False(message.TryGetKey(SadbExtensionType.KeyAuth, out _));
    }

    [Fact]
    public void Builder_set_and_remove_rewrite_a_parsed_message()
    {
        Assert.True(PfKeyMessage.TryParse(Message(10, 2, 0, 0, Sa, AddressSrc, AddressDst, Mtu, Replay), out var dump, out _));
        var builder = PfKeyMessageBuilder.From(dump);
        builder.Type = SadbMessageType.Add;
        Assert.Equal(1, builder.Remove(SadbExtensionType.XMtu));
        builder.Set(new ReplayExtension(0x0102030405060708));
        builder.Set(new TapExtension(3));
        Assert.Equal(Message(3, 2, 0, 0, Sa, AddressSrc, AddressDst, Replay, Tap), builder.Build());
    }

    [Fact]
    public void Builder_refuses_a_duplicate_type()
    {
        var builder = new PfKeyMessageBuilder(SadbMessageType.Delete, SadbSaType.Esp)
            .Add(new MtuExtension(1))
            .Add(new MtuExtension(2));
        Assert.False(builder.TryBuild(out _, out var error));
        Assert.Equal(24, error.Offset);
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public void Builder_refuses_a_raw_extension_whose_size_is_not_a_multiple_of_8()
    {
        var builder = new PfKeyMessageBuilder(SadbMessageType.Flush)
            .Add(new PfKeyExtension((SadbExtensionType)99, new byte[12]));
        Assert.False(builder.TryBuild(out _, out var error));
        Assert.Contains("multiple of 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_fields_are_carried_over_by_from()
    {
        var bytes = Message(9, 0, 0x01020304, 0x0a0b0c0d);
        bytes[2] = 17; // errno in a kernel reply
        Assert.True(PfKeyMessage.TryParse(bytes, out var message, out _));
        var builder = PfKeyMessageBuilder.From(message);
        Assert.Equal(17, builder.Errno);
        Assert.Equal(0x01020304u, builder.Sequence);
        Assert.Equal(0x0a0b0c0du, builder.Pid);
        Assert.Equal(bytes, builder.Build());
    }
}
