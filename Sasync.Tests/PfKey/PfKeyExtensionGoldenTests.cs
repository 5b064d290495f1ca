using System.Collections.Immutable;
using System.Net;
using Sasync.Core.PfKey;
using static Sasync.Tests.PfKey.PfKeyGolden;

namespace Sasync.Tests.PfKey;

public class PfKeyExtensionGoldenTests
{
    private static readonly byte[] EncryptKey = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
    private static readonly byte[] AuthKey = Convert.FromHexString("101112131415161718191a1b1c1d1e1f20212223");

    private static readonly SadbCombination Combination = new(
        SadbAuthAlgorithm.XSha2_256, SadbEncryptionAlgorithm.XAes, 1, 256, 256, 128, 256, 0, 0, 0, 0, 3600, 7200, 0, 0);

    public static TheoryData<string, IPfKeyExtensionWriter> Extensions => new()
    {
        { Sa, new SaExtension(0x1234, 32, SadbSaState.Mature, SadbAuthAlgorithm.XSha2_256, SadbEncryptionAlgorithm.XAes, SadbSaFlags.XTunnel | SadbSaFlags.XUdpEncap) },
        { Sa2, new SaExtension(0xdeadbeef, 0, SadbSaState.Mature, SadbAuthAlgorithm.None, SadbEncryptionAlgorithm.None, SadbSaFlags.None, SadbExtensionType.XSa2) },
        { LifetimeHard, new LifetimeExtension(SadbExtensionType.LifetimeHard, 10, 4096, 3600, 0) },
        { LifetimeSoft, new LifetimeExtension(SadbExtensionType.LifetimeSoft, 0, 2048, 3080, 0) },
        { LifetimeCurrent, new LifetimeExtension(SadbExtensionType.LifetimeCurrent, 0, 1000, 100_000_000, 100_000_001) },
        { LifetimeLastUse, new LifetimeExtension(SadbExtensionType.XLifetimeLastUse, 0, 0, 0, 100_000_002) },
        { AddressSrc, new AddressExtension(SadbExtensionType.AddressSrc, IPAddress.Parse("192.0.2.1")) },
        { AddressDst, new AddressExtension(SadbExtensionType.AddressDst, IPAddress.Parse("192.0.2.2")) },
        { AddressProxy, new AddressExtension(SadbExtensionType.AddressProxy, IPAddress.Parse("192.0.2.3")) },
        { SrcFlow, new AddressExtension(SadbExtensionType.XSrcFlow, IPAddress.Parse("10.0.0.0"), 500) },
        { DstFlow, new AddressExtension(SadbExtensionType.XDstFlow, IPAddress.Parse("10.1.0.0")) },
        { SrcMask, new AddressExtension(SadbExtensionType.XSrcMask, IPAddress.Parse("255.255.255.0"), 0xffff) },
        { DstMask, new AddressExtension(SadbExtensionType.XDstMask, IPAddress.Parse("255.255.255.0")) },
        { AddressDst6, new AddressExtension(SadbExtensionType.AddressDst, IPAddress.Parse("2001:db8::1")) },
        { Dst2, new AddressExtension(SadbExtensionType.XDst2, IPAddress.Parse("2001:db8::2")) },
        { KeyEncrypt, new KeyExtension(SadbExtensionType.KeyEncrypt, 128, EncryptKey) },
        { KeyAuth, KeyExtension.FromKey(SadbExtensionType.KeyAuth, AuthKey) },
        { IdentitySrc, new IdentityExtension(SadbExtensionType.IdentitySrc, SadbIdentityType.Fqdn, 0, "gw.example") },
        { IdentityDst, new IdentityExtension(SadbExtensionType.IdentityDst, SadbIdentityType.UserFqdn, 7, "a@b.example") },
        { Sensitivity, new SensitivityExtension(1, 2, 3, Convert.FromHexString("0102030405060708"), ReadOnlyMemory<byte>.Empty) },
        { Proposal, new ProposalExtension(1, 32, [Combination]) },
        { SupportedAuth, new SupportedExtension(SadbExtensionType.SupportedAuth, [new SadbAlgorithm(3, 0, 160, 160), new SadbAlgorithm(5, 0, 256, 256)]) },
        { SupportedEncrypt, new SupportedExtension(SadbExtensionType.SupportedEncrypt, [new SadbAlgorithm(12, 16, 128, 256)]) },
        { SupportedComp, new SupportedExtension(SadbExtensionType.XSupportedComp, [new SadbAlgorithm(2, 0, 0, 0)]) },
        { SpiRange, new SpiRangeExtension(0x100, 0xffffffff) },
        { Protocol, new ProtocolExtension(6) },
        { FlowType, new FlowTypeExtension(SadbFlowType.Require, SadbDirection.Out) },
        { SaType2, new SaType2Extension(SadbSaType.XIpip) },
        { Policy, new PolicyExtension(42) },
        { UdpEncap, new UdpEncapExtension(4500) },
        { Tag, new TagExtension("vpn") },
        { Tap, new TapExtension(3) },
        { Counter, new CounterExtension(1, 2, 3, 4, 5, 6, 7, 8) },
        { Rdomain, new RdomainExtension(1, 2) },
        { Mtu, new MtuExtension(1400) },
        { Replay, new ReplayExtension(0x0102030405060708) },
        { Iface, new IfaceExtension(1, SadbDirection.In) },
    };

    private static PfKeyExtension Raw(string hex)
    {
        var bytes = Bytes(hex);
        return new PfKeyExtension((SadbExtensionType)BitConverter.ToUInt16(bytes, 2), bytes);
    }

    private static byte[] Written(IPfKeyExtensionWriter extension)
    {
        var bytes = new byte[extension.ByteLength];
        extension.Write(bytes);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(Extensions))]
    public void Writer_produces_the_hand_laid_bytes(string hex, IPfKeyExtensionWriter expected)
    {
        Assert.Equal(Bytes(hex), Written(expected));
    }

    [Theory]
    [MemberData(nameof(Extensions))]
    public void Reader_gives_the_typed_record_and_writes_it_back_identically(string hex, IPfKeyExtensionWriter expected)
    {
        Assert.True(PfKeyExtensionReader.TryRead(Raw(hex), out var typed, out var error), error.ToString());
        Assert.IsType(expected.GetType(), typed);
        Assert.Equal(expected.Type, typed.Type);
        Assert.Equal(Bytes(hex), Written(typed));
        if (expected is not (ProposalExtension or SupportedExtension or SensitivityExtension))
        {
            Assert.Equal(expected, typed);
        }
    }

    [Fact]
    public void Sa_spi_is_the_network_order_field_value()
    {
        Assert.True(SaExtension.TryRead(Raw(Sa), out var sa, out _));
        Assert.Equal(0x1234u, sa.Spi);
        Assert.Equal(SadbSaState.Mature, sa.State);
        Assert.Equal(SadbSaFlags.XTunnel | SadbSaFlags.XUdpEncap, sa.Flags);
    }

    [Fact]
    public void Key_keeps_the_key_bytes_without_padding_and_never_shows_them()
    {
        Assert.True(KeyExtension.TryRead(Raw(KeyAuth), out var key, out _));
        Assert.Equal(160, key.Bits);
        Assert.Equal(AuthKey, key.Key.ToArray());
        var text = key.ToString();
        Assert.Contains("160", text, StringComparison.Ordinal);
        Assert.DoesNotContain("10", text.Replace("160", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("System.Byte", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Key =", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Proposal_supported_and_sensitivity_fields_are_read()
    {
        Assert.True(ProposalExtension.TryRead(Raw(Proposal), out var proposal, out _));
        Assert.Equal((byte)1, proposal.Number);
        Assert.Equal((byte)32, proposal.Replay);
        Assert.Equal([Combination], proposal.Combinations.ToArray());

        Assert.True(SupportedExtension.TryRead(Raw(SupportedAuth), out var supported, out _));
        Assert.Equal([new SadbAlgorithm(3, 0, 160, 160), new SadbAlgorithm(5, 0, 256, 256)], supported.Algorithms.ToArray());

        Assert.True(SensitivityExtension.TryRead(Raw(Sensitivity), out var sensitivity, out _));
        Assert.Equal(1u, sensitivity.Dpd);
        Assert.Equal((byte)2, sensitivity.SensitivityLevel);
        Assert.Equal((byte)3, sensitivity.IntegrityLevel);
        Assert.Equal(Convert.FromHexString("0102030405060708"), sensitivity.SensitivityBitmap.ToArray());
        Assert.Equal(0, sensitivity.IntegrityBitmap.Length);
    }

    [Fact]
    public void Ipv6_scope_id_survives_a_round_trip()
    {
        var address = IPAddress.Parse("fe80::1%5");
        var written = Written(new AddressExtension(SadbExtensionType.AddressSrc, address));
        Assert.Equal(40, written.Length);
        Assert.Equal(5, BitConverter.ToInt32(written, 8 + 24));
        Assert.True(AddressExtension.TryRead(new PfKeyExtension(SadbExtensionType.AddressSrc, written), out var read, out _));
        Assert.Equal(5, read.Address.ScopeId);
    }

    [Theory]
    [InlineData(LocalCredentials)]
    [InlineData(Unknown99)]
    public void Types_without_a_typed_view_stay_raw(string hex)
    {
        var raw = Raw(hex);
        Assert.True(PfKeyExtensionReader.TryRead(raw, out var typed, out _));
        Assert.Equal(raw, Assert.IsType<PfKeyExtension>(typed));
        Assert.Equal(Bytes(hex), Written(typed));
    }

    [Fact]
    public void Address_of_another_family_is_kept_raw_when_its_framing_holds()
    {
        // AF_UNSPEC with a 16-byte sockaddr (TCP signature SAs may carry one).
        var raw = Raw("0300 0500 00000000 10 00 0000 00000000 0000000000000000");
        Assert.True(PfKeyExtensionReader.TryRead(raw, out var typed, out _));
        Assert.IsType<PfKeyExtension>(typed);
        Assert.False(AddressExtension.TryRead(raw, out _, out var error));
        Assert.Contains("family 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Immutable_default_lists_write_as_empty()
    {
        Assert.Equal(Bytes("0100 0e00 00000000"), Written(new SupportedExtension(SadbExtensionType.SupportedAuth, default)));
        Assert.Equal(Bytes("0100 0d00 00 00 0000"), Written(new ProposalExtension(0, 0, ImmutableArray<SadbCombination>.Empty)));
    }
}
