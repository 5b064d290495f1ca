namespace Sasync.Core.PfKey;

/// <summary>
/// Which extensions OpenBSD's kernel accepts in and requires of each message type, and which it may
/// send back (sadb_exts_allowed_in / required_in / allowed_out / required_out of
/// pfkeyv2_parsemessage.c 1.64), as bit sets over extension numbers. The simulated kernel enforces
/// them; the snapshot rules derive from them what a message written to a peer's kernel may carry.
/// </summary>
internal static class KernelExtensionRules
{
    private const ulong Sa = 1UL << 1;
    private const ulong LifetimeCurrent = 1UL << 2;
    private const ulong Lifetime = LifetimeCurrent | 1UL << 3 | 1UL << 4;
    private const ulong AddressSrc = 1UL << 5;
    private const ulong AddressDst = 1UL << 6;
    private const ulong Address = AddressSrc | AddressDst;
    private const ulong AddressProxy = 1UL << 7;
    private const ulong Key = 1UL << 8 | 1UL << 9;
    private const ulong IdentitySrc = 1UL << 10;
    private const ulong IdentityDst = 1UL << 11;
    private const ulong Identity = IdentitySrc | IdentityDst;
    private const ulong Proposal = 1UL << 13;
    private const ulong Supported = 1UL << 14 | 1UL << 15;
    private const ulong SpiRange = 1UL << 16;
    private const ulong SrcMask = 1UL << 17;
    private const ulong DstMask = 1UL << 18;
    private const ulong Protocol = 1UL << 19;
    private const ulong FlowType = 1UL << 20;
    private const ulong SrcFlow = 1UL << 21;
    private const ulong DstFlow = 1UL << 22;
    private const ulong Flow = SrcMask | DstMask | Protocol | FlowType | SrcFlow | DstFlow;
    private const ulong FlowRequired = SrcMask | DstMask | SrcFlow | DstFlow | FlowType;
    private const ulong Sa2 = 1UL << 23;
    private const ulong Dst2 = 1UL << 24;
    private const ulong Policy = 1UL << 25;
    private const ulong SupportedComp = 1UL << 30;
    private const ulong UdpEncap = 1UL << 31;
    private const ulong LifetimeLastUse = 1UL << 32;
    private const ulong Tag = 1UL << 33;
    private const ulong Tap = 1UL << 34;
    private const ulong SaType2 = 1UL << 35;
    private const ulong Counter = 1UL << 36;
    private const ulong Rdomain = 1UL << 37;
    private const ulong Mtu = 1UL << 38;
    private const ulong Replay = 1UL << 39;
    private const ulong Iface = 1UL << 40;

    private static readonly ulong[] AllowedIn =
    [
        ~0UL,
        Address | SpiRange,
        Sa | Lifetime | Address | AddressProxy | Key | Identity | Flow | UdpEncap | Tag | Tap | Rdomain | Counter | Replay | Iface,
        Sa | Lifetime | Address | Key | Identity | Flow | UdpEncap | LifetimeLastUse | Tag | Tap | Rdomain | Counter | Replay | Iface,
        Sa | Address | Rdomain,
        Sa | Address | Rdomain,
        Address | Identity | Proposal,
        0,
        Sa | Address,
        0,
        0,
        0,
        Address | Identity | Flow | Rdomain,
        Flow | Rdomain,
        Sa | Sa2 | Dst2 | AddressDst | SaType2 | Rdomain,
        Policy,
        0,
    ];

    private static readonly ulong[] RequiredIn =
    [
        0,
        Address | SpiRange,
        Sa | Address,
        Sa | AddressDst,
        Sa | AddressDst,
        Sa | AddressDst,
        0,
        0,
        Sa | Address,
        0,
        0,
        0,
        FlowRequired,
        FlowRequired,
        Sa | Sa2 | Dst2 | AddressDst | SaType2,
        Policy,
        0,
    ];

    private static readonly ulong[] AllowedOut =
    [
        ~0UL,
        Sa | Address,
        Sa | Lifetime | Address | AddressProxy | Identity | Flow | UdpEncap | Tag | Tap | Rdomain | Iface,
        Sa | Lifetime | Address | Identity | Flow | UdpEncap | Tag | Tap | Rdomain | Iface,
        Sa | Address | Rdomain,
        Sa | Lifetime | Address | Key | Identity | UdpEncap | LifetimeLastUse | Flow | Tag | Tap | Counter | Rdomain | Mtu | Replay | Iface,
        Address | Identity | Proposal,
        Supported | SupportedComp,
        Sa | Lifetime | Address,
        0,
        Sa | Lifetime | Address | Identity,
        0,
        Address | Flow | Identity | Rdomain,
        Flow | Rdomain,
        Sa | Sa2 | Dst2 | AddressDst | SaType2 | Rdomain,
        SrcFlow | DstFlow | SrcMask | DstMask | FlowType | Policy,
        0,
    ];

    private static readonly ulong[] RequiredOut =
    [
        0,
        Sa | AddressDst,
        Sa | AddressDst,
        Sa | AddressDst,
        Sa | AddressDst,
        Sa | LifetimeCurrent | AddressDst,
        0,
        Supported | SupportedComp,
        Sa | AddressDst,
        0,
        0,
        0,
        FlowRequired,
        FlowRequired,
        Sa | Sa2 | Dst2 | AddressDst | SaType2,
        SrcFlow | DstFlow | SrcMask | DstMask | FlowType,
        0,
    ];

    public static ulong Bit(SadbExtensionType type) => 1UL << (int)type;

    public static bool IsAllowedIn(SadbMessageType message, SadbExtensionType extension) =>
        (int)message < AllowedIn.Length && (int)extension < 64 && (AllowedIn[(int)message] & Bit(extension)) != 0;

    /// <summary>
    /// Whether a message of type <paramref name="message"/> that carries <paramref name="extension"/>
    /// passes both checks: the input check, and the reply check the kernel makes after executing it
    /// (with the keys already removed), whose failure is EPERM although the command took effect.
    /// </summary>
    public static bool SurvivesBothChecks(SadbMessageType message, SadbExtensionType extension) =>
        IsAllowedIn(message, extension)
        && (extension is SadbExtensionType.KeyAuth or SadbExtensionType.KeyEncrypt || (AllowedOut[(int)message] & Bit(extension)) != 0);

    public static bool HasRequiredIn(SadbMessageType message, ulong seen) => (seen & RequiredIn[(int)message]) == RequiredIn[(int)message];

    /// <summary>The check pfkeyv2_dosend makes before sending a reply; a reply that fails it is not sent and the write fails with EPERM.</summary>
    public static bool IsValidReply(SadbMessageType message, ulong seen) =>
        (seen & AllowedOut[(int)message]) == seen && (seen & RequiredOut[(int)message]) == RequiredOut[(int)message];
}
