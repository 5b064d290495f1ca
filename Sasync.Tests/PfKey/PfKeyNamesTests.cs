using Sasync.Core.PfKey;

namespace Sasync.Tests.PfKey;

public class PfKeyNamesTests
{
    [Theory]
    [InlineData(SadbMessageType.GetSpi, "GETSPI")]
    [InlineData(SadbMessageType.Add, "ADD")]
    [InlineData(SadbMessageType.Dump, "DUMP")]
    [InlineData(SadbMessageType.XPromisc, "X_PROMISC")]
    [InlineData(SadbMessageType.XAddFlow, "X_ADDFLOW")]
    [InlineData(SadbMessageType.XSpdDump, "X_SPDDUMP")]
    public void Message_types_keep_the_x_prefix(SadbMessageType type, string name)
    {
        Assert.Equal(name, PfKeyNames.MessageTypeName(type));
        Assert.True(PfKeyNames.TryParseMessageType(name, out var parsed));
        Assert.Equal(type, parsed);
    }

    [Theory]
    [InlineData(SadbSaType.Unspec, "UNSPEC")]
    [InlineData(SadbSaType.Esp, "ESP")]
    [InlineData(SadbSaType.XIpip, "IPIP")]
    [InlineData(SadbSaType.XTcpSignature, "TCPSIGNATURE")]
    [InlineData(SadbSaType.XIpcomp, "IPCOMP")]
    public void Sa_types_drop_both_prefixes(SadbSaType type, string name)
    {
        Assert.Equal(name, PfKeyNames.SaTypeName(type));
        Assert.True(PfKeyNames.TryParseSaType(name, out var parsed));
        Assert.Equal(type, parsed);
    }

    [Theory]
    [InlineData(SadbExtensionType.Sa, "SA")]
    [InlineData(SadbExtensionType.AddressSrc, "ADDRESS_SRC")]
    [InlineData(SadbExtensionType.XSrcFlow, "SRC_FLOW")]
    [InlineData(SadbExtensionType.XLifetimeLastUse, "LIFETIME_LASTUSE")]
    [InlineData(SadbExtensionType.XSaType2, "SATYPE2")]
    [InlineData(SadbExtensionType.XMtu, "MTU")]
    [InlineData(SadbExtensionType.XIface, "IFACE")]
    public void Extension_types_drop_both_prefixes(SadbExtensionType type, string name)
    {
        Assert.Equal(name, PfKeyNames.ExtensionTypeName(type));
        Assert.True(PfKeyNames.TryParseExtensionType(name, out var parsed));
        Assert.Equal(type, parsed);
    }

    [Fact]
    public void Every_number_the_header_defines_has_a_name_and_no_other_does()
    {
        Assert.All(Enumerable.Range(0, 17), n => Assert.NotNull(PfKeyNames.MessageTypeName((SadbMessageType)n)));
        Assert.Null(PfKeyNames.MessageTypeName((SadbMessageType)17));
        Assert.All(Enumerable.Range(0, 10), n => Assert.NotNull(PfKeyNames.SaTypeName((SadbSaType)n)));
        Assert.Null(PfKeyNames.SaTypeName((SadbSaType)10));
        Assert.All(Enumerable.Range(0, 41), n => Assert.True(PfKeyNames.IsDefined((SadbExtensionType)n)));
        Assert.Equal(41, Enumerable.Range(0, 41).Select(n => PfKeyNames.ExtensionTypeName((SadbExtensionType)n)).Distinct().Count());
        Assert.False(PfKeyNames.IsDefined((SadbExtensionType)41));
        Assert.Equal("UNKNOWN", PfKeyNames.ExtensionTypeName((SadbExtensionType)41));
        Assert.Equal(SadbExtensionTypes.Max, Enum.GetValues<SadbExtensionType>().Max());
    }

    [Fact]
    public void Enum_names_follow_the_header_values()
    {
        Assert.Equal("MATURE", PfKeyNames.SaStateName(SadbSaState.Mature));
        Assert.Equal("DONTACQ", PfKeyNames.FlowTypeName(SadbFlowType.DontAcquire));
        Assert.Equal("ASN1_DN", PfKeyNames.IdentityTypeName(SadbIdentityType.Asn1Dn));
        Assert.Equal("OUT", PfKeyNames.DirectionName(SadbDirection.Out));
        Assert.Equal("SHA2_512", PfKeyNames.AuthAlgorithmName(SadbAuthAlgorithm.XSha2_512));
        Assert.Equal("CHACHA20POLY1305", PfKeyNames.AuthAlgorithmName(SadbAuthAlgorithm.XChacha20Poly1305));
        Assert.Null(PfKeyNames.AuthAlgorithmName((SadbAuthAlgorithm)4));
        Assert.Equal("AESGCM16", PfKeyNames.EncryptionAlgorithmName(SadbEncryptionAlgorithm.XAesGcm16));
        Assert.Equal("3DESCBC", PfKeyNames.EncryptionAlgorithmName(SadbEncryptionAlgorithm.TripleDesCbc));
        Assert.Equal("DEFLATE", PfKeyNames.CompressionAlgorithmName(2));
        Assert.True(PfKeyNames.TryParseFlowType("require", out var flow));
        Assert.Equal(SadbFlowType.Require, flow);
        Assert.False(PfKeyNames.TryParseMessageType("SADB_ADD", out _));
    }
}
