namespace Sasync.Core.PfKey;

/// <summary><c>sadb_ext_type</c> values (pfkeyv2.h 1.95; 0–34 unchanged since 1.58).</summary>
public enum SadbExtensionType : ushort
{
    Reserved = 0,
    Sa = 1,
    LifetimeCurrent = 2,
    LifetimeHard = 3,
    LifetimeSoft = 4,
    AddressSrc = 5,
    AddressDst = 6,
    AddressProxy = 7,
    KeyAuth = 8,
    KeyEncrypt = 9,
    IdentitySrc = 10,
    IdentityDst = 11,
    Sensitivity = 12,
    Proposal = 13,
    SupportedAuth = 14,
    SupportedEncrypt = 15,
    SpiRange = 16,
    XSrcMask = 17,
    XDstMask = 18,
    XProtocol = 19,
    XFlowType = 20,
    XSrcFlow = 21,
    XDstFlow = 22,
    XSa2 = 23,
    XDst2 = 24,
    XPolicy = 25,
    XLocalCredentials = 26,
    XRemoteCredentials = 27,
    XLocalAuth = 28,
    XRemoteAuth = 29,
    XSupportedComp = 30,
    XUdpEncap = 31,
    XLifetimeLastUse = 32,
    XTag = 33,
    XTap = 34,
    XSaType2 = 35,
    XCounter = 36,
    XRdomain = 37,
    XMtu = 38,
    XReplay = 39,
    XIface = 40,
}

internal static class SadbExtensionTypes
{
    /// <summary>SADB_EXT_MAX of pfkeyv2.h 1.95.</summary>
    public const SadbExtensionType Max = SadbExtensionType.XIface;
}
