namespace Sasync.Core.PfKey;

/// <summary>Turns a raw extension into its typed record, picking the reader by extension type.</summary>
public static class PfKeyExtensionReader
{
    /// <summary>
    /// Reads <paramref name="extension"/> into its typed record. Types without a typed view (the
    /// obsolete credential types 26–29, numbers pfkeyv2.h does not define) and address extensions of a
    /// family other than AF_INET/AF_INET6 come back as the raw <see cref="PfKeyExtension"/> itself,
    /// after the checks that apply to them.
    /// </summary>
    public static bool TryRead(PfKeyExtension extension, out IPfKeyExtensionWriter typed, out PfKeyError error)
    {
        var ok = TryRead(extension, materialize: true, out var value, out error);
        typed = value ?? extension;
        return ok;
    }

    /// <summary>
    /// The checks of <see cref="TryRead(PfKeyExtension, out IPfKeyExtensionWriter, out PfKeyError)"/> without keeping
    /// the typed record (no boxing; the parse hot path). The types every SA and flow carries are checked on their
    /// bytes first (<see cref="ExtensionQuickCheck"/>); the typed reader decides the rest and says why it refuses.
    /// </summary>
    public static bool TryValidate(PfKeyExtension extension, out PfKeyError error)
    {
        if (ExtensionQuickCheck.IsKnownGood((ushort)extension.Type, extension.Bytes.Span))
        {
            error = default;
            return true;
        }

        return TryRead(extension, materialize: false, out _, out error);
    }

    // typed stays null when nothing was materialized: boxing the raw extension here would allocate on every validation.
    private static bool TryRead(PfKeyExtension extension, bool materialize, out IPfKeyExtensionWriter? typed, out PfKeyError error)
    {
        typed = null;
        switch (extension.Type)
        {
            case SadbExtensionType.Sa or SadbExtensionType.XSa2:
                return Box<SaExtension>(SaExtension.TryRead(extension, out var sa, out error), sa, ref typed, materialize);
            case SadbExtensionType.LifetimeCurrent or SadbExtensionType.LifetimeHard or SadbExtensionType.LifetimeSoft
                or SadbExtensionType.XLifetimeLastUse:
                return Box(LifetimeExtension.TryRead(extension, out var lifetime, out error), lifetime, ref typed, materialize);
            case var type when AddressExtension.IsAddressType(type):
                if (!AddressExtension.TryCheckSockAddrFraming(extension, out error))
                {
                    return false;
                }

                var family = AddressExtension.ReadFamily(extension);
                if (family is not (SockAddr.AfInet or SockAddr.AfInet6))
                {
                    return true;
                }

                // Type and framing are known good here: only the family's length is left to check.
                return materialize
                    ? Box(AddressExtension.TryRead(extension, out var address, out error), address, ref typed, materialize)
                    : AddressExtension.TryCheckFamilyLength(extension, out error);
            case SadbExtensionType.KeyAuth or SadbExtensionType.KeyEncrypt:
                return Box(KeyExtension.TryRead(extension, out var key, out error), key, ref typed, materialize);
            case SadbExtensionType.IdentitySrc or SadbExtensionType.IdentityDst:
                return Box(IdentityExtension.TryRead(extension, out var identity, out error), identity, ref typed, materialize);
            case SadbExtensionType.Sensitivity:
                return Box(SensitivityExtension.TryRead(extension, out var sensitivity, out error), sensitivity, ref typed, materialize);
            case SadbExtensionType.Proposal:
                return Box(ProposalExtension.TryRead(extension, out var proposal, out error), proposal, ref typed, materialize);
            case SadbExtensionType.SupportedAuth or SadbExtensionType.SupportedEncrypt or SadbExtensionType.XSupportedComp:
                return Box(SupportedExtension.TryRead(extension, out var supported, out error), supported, ref typed, materialize);
            case SadbExtensionType.SpiRange:
                return Box(SpiRangeExtension.TryRead(extension, out var range, out error), range, ref typed, materialize);
            case SadbExtensionType.XProtocol:
                return Box(ProtocolExtension.TryRead(extension, out var protocol, out error), protocol, ref typed, materialize);
            case SadbExtensionType.XFlowType:
                return Box(FlowTypeExtension.TryRead(extension, out var flowType, out error), flowType, ref typed, materialize);
            case SadbExtensionType.XSaType2:
                return Box(SaType2Extension.TryRead(extension, out var saType2, out error), saType2, ref typed, materialize);
            case SadbExtensionType.XPolicy:
                return Box(PolicyExtension.TryRead(extension, out var policy, out error), policy, ref typed, materialize);
            case SadbExtensionType.XUdpEncap:
                return Box(UdpEncapExtension.TryRead(extension, out var udpEncap, out error), udpEncap, ref typed, materialize);
            case SadbExtensionType.XTag:
                return Box(TagExtension.TryRead(extension, out var tag, out error), tag, ref typed, materialize);
            case SadbExtensionType.XTap:
                return Box(TapExtension.TryRead(extension, out var tap, out error), tap, ref typed, materialize);
            case SadbExtensionType.XCounter:
                return Box(CounterExtension.TryRead(extension, out var counter, out error), counter, ref typed, materialize);
            case SadbExtensionType.XRdomain:
                return Box(RdomainExtension.TryRead(extension, out var rdomain, out error), rdomain, ref typed, materialize);
            case SadbExtensionType.XMtu:
                return Box(MtuExtension.TryRead(extension, out var mtu, out error), mtu, ref typed, materialize);
            case SadbExtensionType.XReplay:
                return Box(ReplayExtension.TryRead(extension, out var replay, out error), replay, ref typed, materialize);
            case SadbExtensionType.XIface:
                return Box(IfaceExtension.TryRead(extension, out var iface, out error), iface, ref typed, materialize);
            default:
                error = default;
                return true;
        }
    }

    private static bool Box<T>(bool ok, T value, ref IPfKeyExtensionWriter? typed, bool materialize)
        where T : IPfKeyExtensionWriter
    {
        if (ok && materialize)
        {
            typed = value;
        }

        return ok;
    }
}
