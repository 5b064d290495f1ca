namespace Sasync.Core.PfKey;

/// <summary><c>sadb_ext_type</c> values (pfkeyv2.h 1.95; 0–34 unchanged since 1.58).</summary>
public enum SadbExtensionType : ushort
{
    /// <summary>SADB_EXT_RESERVED: not an extension.</summary>
    Reserved = 0,

    /// <summary>SADB_EXT_SA: SPI, state, algorithms and flags (<see cref="SaExtension"/>).</summary>
    Sa = 1,

    /// <summary>SADB_EXT_LIFETIME_CURRENT: use so far (<see cref="LifetimeExtension"/>).</summary>
    LifetimeCurrent = 2,

    /// <summary>SADB_EXT_LIFETIME_HARD: limits after which the SA is removed.</summary>
    LifetimeHard = 3,

    /// <summary>SADB_EXT_LIFETIME_SOFT: limits after which the SA is renegotiated.</summary>
    LifetimeSoft = 4,

    /// <summary>SADB_EXT_ADDRESS_SRC: the SA's source address (<see cref="AddressExtension"/>).</summary>
    AddressSrc = 5,

    /// <summary>SADB_EXT_ADDRESS_DST: the SA's destination address.</summary>
    AddressDst = 6,

    /// <summary>SADB_EXT_ADDRESS_PROXY: the proxy address.</summary>
    AddressProxy = 7,

    /// <summary>SADB_EXT_KEY_AUTH: the authentication key (<see cref="KeyExtension"/>).</summary>
    KeyAuth = 8,

    /// <summary>SADB_EXT_KEY_ENCRYPT: the encryption key.</summary>
    KeyEncrypt = 9,

    /// <summary>SADB_EXT_IDENTITY_SRC: the local identity (<see cref="IdentityExtension"/>).</summary>
    IdentitySrc = 10,

    /// <summary>SADB_EXT_IDENTITY_DST: the remote identity.</summary>
    IdentityDst = 11,

    /// <summary>SADB_EXT_SENSITIVITY: security level and bitmaps (<see cref="SensitivityExtension"/>).</summary>
    Sensitivity = 12,

    /// <summary>SADB_EXT_PROPOSAL: the algorithm combinations of an ACQUIRE (<see cref="ProposalExtension"/>).</summary>
    Proposal = 13,

    /// <summary>SADB_EXT_SUPPORTED_AUTH: authentication algorithms of a REGISTER reply (<see cref="SupportedExtension"/>).</summary>
    SupportedAuth = 14,

    /// <summary>SADB_EXT_SUPPORTED_ENCRYPT: encryption algorithms of a REGISTER reply.</summary>
    SupportedEncrypt = 15,

    /// <summary>SADB_EXT_SPIRANGE: the SPIs GETSPI may pick from (<see cref="SpiRangeExtension"/>).</summary>
    SpiRange = 16,

    /// <summary>SADB_X_EXT_SRC_MASK: the source netmask of a flow.</summary>
    XSrcMask = 17,

    /// <summary>SADB_X_EXT_DST_MASK: the destination netmask of a flow.</summary>
    XDstMask = 18,

    /// <summary>SADB_X_EXT_PROTOCOL: the transport protocol of a flow (<see cref="ProtocolExtension"/>).</summary>
    XProtocol = 19,

    /// <summary>SADB_X_EXT_FLOW_TYPE: the flow's type and direction (<see cref="FlowTypeExtension"/>).</summary>
    XFlowType = 20,

    /// <summary>SADB_X_EXT_SRC_FLOW: the source network of a flow.</summary>
    XSrcFlow = 21,

    /// <summary>SADB_X_EXT_DST_FLOW: the destination network of a flow.</summary>
    XDstFlow = 22,

    /// <summary>SADB_X_EXT_SA2: the second SA of a GRPSPIS.</summary>
    XSa2 = 23,

    /// <summary>SADB_X_EXT_DST2: the destination of the second SA of a GRPSPIS.</summary>
    XDst2 = 24,

    /// <summary>SADB_X_EXT_POLICY: the sequence number of a policy (<see cref="PolicyExtension"/>).</summary>
    XPolicy = 25,

    /// <summary>SADB_X_EXT_LOCAL_CREDENTIALS: obsolete; kept as raw bytes.</summary>
    XLocalCredentials = 26,

    /// <summary>SADB_X_EXT_REMOTE_CREDENTIALS: obsolete; kept as raw bytes.</summary>
    XRemoteCredentials = 27,

    /// <summary>SADB_X_EXT_LOCAL_AUTH: obsolete; kept as raw bytes.</summary>
    XLocalAuth = 28,

    /// <summary>SADB_X_EXT_REMOTE_AUTH: obsolete; kept as raw bytes.</summary>
    XRemoteAuth = 29,

    /// <summary>SADB_X_EXT_SUPPORTED_COMP: compression algorithms of a REGISTER reply.</summary>
    XSupportedComp = 30,

    /// <summary>SADB_X_EXT_UDPENCAP: the UDP port of ESP in UDP (<see cref="UdpEncapExtension"/>).</summary>
    XUdpEncap = 31,

    /// <summary>SADB_X_EXT_LIFETIME_LASTUSE: when the SA was last used.</summary>
    XLifetimeLastUse = 32,

    /// <summary>SADB_X_EXT_TAG: the pf tag of the SA's traffic (<see cref="TagExtension"/>).</summary>
    XTag = 33,

    /// <summary>SADB_X_EXT_TAP: the enc(4) unit of the SA (<see cref="TapExtension"/>).</summary>
    XTap = 34,

    /// <summary>SADB_X_EXT_SATYPE2: the SA type of the second SA of a GRPSPIS (<see cref="SaType2Extension"/>).</summary>
    XSaType2 = 35,

    /// <summary>SADB_X_EXT_COUNTER: traffic statistics, from the kernel only (<see cref="CounterExtension"/>).</summary>
    XCounter = 36,

    /// <summary>SADB_X_EXT_RDOMAIN: the routing domains of the SA (<see cref="RdomainExtension"/>).</summary>
    XRdomain = 37,

    /// <summary>SADB_X_EXT_MTU: the path MTU, from the kernel only (<see cref="MtuExtension"/>).</summary>
    XMtu = 38,

    /// <summary>SADB_X_EXT_REPLAY: the replay counter (<see cref="ReplayExtension"/>).</summary>
    XReplay = 39,

    /// <summary>SADB_X_EXT_IFACE: the sec(4) interface of the SA (<see cref="IfaceExtension"/>).</summary>
    XIface = 40,
}

internal static class SadbExtensionTypes
{
    /// <summary>SADB_EXT_MAX of pfkeyv2.h 1.95.</summary>
    public const SadbExtensionType Max = SadbExtensionType.XIface;
}
