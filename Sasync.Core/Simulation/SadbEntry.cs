using System.Net;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// One SA of the simulated SADB (a tdb). Mutable, and only touched under the kernel's lock. It is
/// found by (SA type, SPI, destination, routing domain) like gettdb(); a larval SA keeps the SA
/// type it was reserved for but reports satype 0 in dumps, as OpenBSD does.
/// </summary>
internal sealed class SadbEntry
{
    public required SadbSaType SaType { get; init; }

    public required uint Spi { get; init; }

    public required IPAddress Destination { get; set; }

    public required uint RoutingDomain { get; init; }

    public bool Larval { get; init; }

    /// <summary>The SA extension as imported; its state byte is rewritten on export.</summary>
    public required ReadOnlyMemory<byte> Sa { get; set; }

    /// <summary>ADDRESS_SRC / ADDRESS_DST as given (null source: the SA was added without one).</summary>
    public ReadOnlyMemory<byte>? SourceExtension { get; set; }

    public required ReadOnlyMemory<byte> DestinationExtension { get; set; }

    public uint CurrentAllocations { get; set; }

    public ulong CurrentBytes { get; set; }

    public ulong Established { get; set; }

    public ulong FirstUse { get; set; }

    public ReadOnlyMemory<byte>? LifetimeSoft { get; set; }

    public ReadOnlyMemory<byte>? LifetimeHard { get; set; }

    public ReadOnlyMemory<byte>? IdentitySource { get; set; }

    public ReadOnlyMemory<byte>? IdentityDestination { get; set; }

    public ReadOnlyMemory<byte>? KeyAuth { get; set; }

    public ReadOnlyMemory<byte>? KeyEncrypt { get; set; }

    public FlowSpec? Flow { get; set; }

    public ReadOnlyMemory<byte>? UdpEncap { get; set; }

    public ReadOnlyMemory<byte>? Tag { get; set; }

    public ReadOnlyMemory<byte>? Tap { get; set; }

    public ReadOnlyMemory<byte>? Iface { get; set; }

    public ushort RoutingDomainPost { get; set; }

    public uint Mtu { get; set; }

    /// <summary>The next SA of an SA bundle (tdb_onext, set by X_GRPSPIS).</summary>
    public SadbEntry? Next { get; set; }

    /// <summary>Where the entry sits in the kernel's SADB list, for O(1) removal (null once removed).</summary>
    public LinkedListNode<SadbEntry>? ListNode { get; set; }

    public SadbSaType DumpSaType => Larval ? SadbSaType.Unspec : SaType;

    public IPAddress? Source =>
        SourceExtension is { } source && KernelLayout.TryReadAddress(source, out var address, out _) ? address : null;

    public bool Matches(SadbSaType saType, uint spi, IPAddress destination, uint routingDomain) =>
        SaType == saType && Spi == spi && RoutingDomain == routingDomain && Destination.Equals(destination);

    /// <summary>
    /// Imports an ADD or UPDATE of a larval SA (import_sa, import_address, import_lifetime, import_key,
    /// import_identities, import_flow, ...).
    /// </summary>
    public static SadbEntry FromRequest(KernelRequest request, IPAddress destination, uint routingDomain, ulong now, FlowSpec? flow)
    {
        var sa = request.Required(SadbExtensionType.Sa);
        var entry = new SadbEntry
        {
            SaType = request.Header.SaType,
            Spi = KernelLayout.ReadSa(sa).Spi,
            Destination = destination,
            RoutingDomain = routingDomain,
            Sa = sa,
            SourceExtension = request[SadbExtensionType.AddressSrc],
            DestinationExtension = request.Required(SadbExtensionType.AddressDst),
            Established = now,
            KeyAuth = request[SadbExtensionType.KeyAuth],
            KeyEncrypt = request[SadbExtensionType.KeyEncrypt],
            Flow = flow,
            RoutingDomainPost = (ushort)routingDomain,
        };

        if (request[SadbExtensionType.IdentitySrc] is { } idSource && request[SadbExtensionType.IdentityDst] is { } idDestination)
        {
            entry.IdentitySource = idSource;
            entry.IdentityDestination = idDestination;
        }

        if (request[SadbExtensionType.XRdomain] is { } rdomain)
        {
            entry.RoutingDomainPost = KernelLayout.ReadRdomain(rdomain).Domain2;
        }

        entry.ImportChangeable(request);
        return entry;
    }

    /// <summary>What an UPDATE of a mature SA may change: SA flags, lifetimes, UDP encapsulation, tag, tap, interface.</summary>
    public void ImportChangeable(KernelRequest request)
    {
        if (request[SadbExtensionType.Sa] is { } sa)
        {
            Sa = sa;
        }

        if (request[SadbExtensionType.LifetimeCurrent] is { } current)
        {
            var lifetime = KernelLayout.ReadLifetime(current);
            (CurrentAllocations, CurrentBytes, Established, FirstUse) = (lifetime.Allocations, lifetime.Bytes, lifetime.AddTime, lifetime.UseTime);
        }

        if (request[SadbExtensionType.LifetimeSoft] is { } soft)
        {
            LifetimeSoft = KernelLayout.LifetimeIsSet(KernelLayout.ReadLifetime(soft)) ? soft : (ReadOnlyMemory<byte>?)null;
        }

        if (request[SadbExtensionType.LifetimeHard] is { } hard)
        {
            LifetimeHard = KernelLayout.LifetimeIsSet(KernelLayout.ReadLifetime(hard)) ? hard : (ReadOnlyMemory<byte>?)null;
        }

        UdpEncap = request[SadbExtensionType.XUdpEncap] is { } udpencap && KernelLayout.UdpEncapIsSet(udpencap) ? udpencap : UdpEncap;
        Tag = request[SadbExtensionType.XTag] ?? Tag;
        Tap = request[SadbExtensionType.XTap] is { } tap && KernelLayout.TapIsSet(tap) ? tap : Tap;
        Iface = request[SadbExtensionType.XIface] ?? Iface;
    }

    /// <summary>The extensions pfkeyv2_get produces for this SA, in its layout order.</summary>
    public List<byte[]> Export()
    {
        var list = new List<byte[]>
        {
            KernelLayout.Bytes(ExportSa(SadbExtensionType.Sa)),
            KernelLayout.Bytes(new LifetimeExtension(SadbExtensionType.LifetimeCurrent, CurrentAllocations, CurrentBytes, Established, FirstUse)),
        };

        AddIfSet(list, LifetimeSoft, SadbExtensionType.LifetimeSoft);
        AddIfSet(list, LifetimeHard, SadbExtensionType.LifetimeHard);
        list.Add(SourceExtension is { } source ? KernelLayout.Retyped(source, SadbExtensionType.AddressSrc) : KernelLayout.EmptyAddress(SadbExtensionType.AddressSrc));
        list.Add(KernelLayout.Retyped(DestinationExtension, SadbExtensionType.AddressDst));
        AddIfSet(list, IdentitySource, SadbExtensionType.IdentitySrc);
        AddIfSet(list, IdentityDestination, SadbExtensionType.IdentityDst);
        AddIfSet(list, KeyAuth, SadbExtensionType.KeyAuth);
        AddIfSet(list, KeyEncrypt, SadbExtensionType.KeyEncrypt);
        if (Flow is { } flow)
        {
            list.AddRange(flow.Export(SadbFlowType.Use));
        }

        if (Next is { } next)
        {
            list.Add(KernelLayout.Bytes(next.ExportSa(SadbExtensionType.XSa2)));
            list.Add(KernelLayout.Retyped(next.DestinationExtension, SadbExtensionType.XDst2));
            list.Add(KernelLayout.Bytes(new SaType2Extension(next.DumpSaType)));
        }

        AddIfSet(list, UdpEncap, SadbExtensionType.XUdpEncap);
        list.Add(KernelLayout.Bytes(new ReplayExtension(0)));
        if (Mtu > 0)
        {
            list.Add(KernelLayout.Bytes(new MtuExtension(Mtu)));
        }

        if (RoutingDomainPost != RoutingDomain)
        {
            list.Add(KernelLayout.Bytes(new RdomainExtension((ushort)RoutingDomain, RoutingDomainPost)));
        }

        AddIfSet(list, Tag, SadbExtensionType.XTag);
        AddIfSet(list, Tap, SadbExtensionType.XTap);
        AddIfSet(list, Iface, SadbExtensionType.XIface);
        list.Add(KernelLayout.Bytes(new CounterExtension(0, 0, 0, 0, 0, 0, 0, 0)));
        return list;
    }

    /// <summary>export_sa: the stored SA fields with the state the kernel reports.</summary>
    public SaExtension ExportSa(SadbExtensionType type) =>
        KernelLayout.ReadSa(Sa) with { Spi = Spi, State = Larval ? SadbSaState.Larval : SadbSaState.Mature, Type = type };

    public SimulatedSa ToSnapshot() => new(
        SaType, Spi, Source, Destination, Larval ? SadbSaState.Larval : SadbSaState.Mature, RoutingDomain, KeyAuth is not null, KeyEncrypt is not null, Mtu);

    private static void AddIfSet(List<byte[]> list, ReadOnlyMemory<byte>? extension, SadbExtensionType type)
    {
        if (extension is not null)
        {
            list.Add(KernelLayout.Retyped(extension.Value, type));
        }
    }
}
