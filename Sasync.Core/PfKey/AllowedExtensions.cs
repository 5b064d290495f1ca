using System.Collections.Frozen;

namespace Sasync.Core.PfKey;

/// <summary>
/// The extensions the kernel accepts in the message types sasyncd writes
/// (<c>sadb_exts_allowed_in[]</c> of pfkeyv2_parsemessage.c 1.64, OPENBSD-ABI.md §1.6). Anything
/// else makes the kernel refuse the whole message with EINVAL.
/// </summary>
public static class AllowedExtensions
{
    private static readonly SadbExtensionType[] Flow =
    [
        SadbExtensionType.XSrcMask, SadbExtensionType.XDstMask, SadbExtensionType.XProtocol,
        SadbExtensionType.XSrcFlow, SadbExtensionType.XDstFlow, SadbExtensionType.XFlowType,
    ];

    /// <summary>SADB_ADD: no ADDRESS_PROXY, X_SA2, X_DST2, X_SATYPE2 or X_MTU.</summary>
    public static FrozenSet<SadbExtensionType> InAdd { get; } = FrozenSet.ToFrozenSet(
    [
        SadbExtensionType.Sa, SadbExtensionType.LifetimeCurrent, SadbExtensionType.LifetimeHard,
        SadbExtensionType.LifetimeSoft, SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst,
        SadbExtensionType.KeyAuth, SadbExtensionType.KeyEncrypt, SadbExtensionType.IdentitySrc,
        SadbExtensionType.IdentityDst, .. Flow, SadbExtensionType.XUdpEncap,
        SadbExtensionType.XLifetimeLastUse, SadbExtensionType.XTag, SadbExtensionType.XTap,
        SadbExtensionType.XRdomain, SadbExtensionType.XCounter, SadbExtensionType.XReplay,
        SadbExtensionType.XIface,
    ]);

    /// <summary>SADB_X_ADDFLOW: addresses, identities, the flow set and the routing domain.</summary>
    public static FrozenSet<SadbExtensionType> InAddFlow { get; } = FrozenSet.ToFrozenSet(
    [
        SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst, SadbExtensionType.IdentitySrc,
        SadbExtensionType.IdentityDst, .. Flow, SadbExtensionType.XRdomain,
    ]);
}
