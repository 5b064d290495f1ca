using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// One SA of the simulated SADB (a tdb). Mutable, and only touched under the kernel's lock. It is
/// found by its <see cref="Key"/> (SA type, SPI, destination, routing domain) like gettdb(); a larval
/// SA keeps the SA type it was reserved for but reports satype 0 in dumps, as OpenBSD does.
/// </summary>
/// <remarks>
/// The extensions the SA keeps are one group of the kernel's <see cref="ExtensionGroups"/> (the SA extension
/// without its SPI, addresses, identities, lifetimes and the rest), shared with every SA that keeps the same ones,
/// and its keys, its own, in one blob of the kernel's <see cref="ExtensionArena"/>; each is found by its offset in
/// its chunk. The kernel reuses entries it removed (see <see cref="Release"/>), so an SADB whose size stays the same
/// allocates nothing.
/// </remarks>
internal sealed class SadbEntry : ListedEntry<SadbEntry>, IDumpRecordSource
{
    private ExtensionGroup? _shared;
    private ArenaBlob _own = ArenaBlob.None;
    // Where the keys start in _own's chunk; the shared slots' offsets are the group's.
    private OwnOffsets _ownOffsets;
    // Boxed so that an SA without a flow (the usual case) does not carry a FlowSpec's bytes; kept when the entry is reused.
    private StrongBox<FlowSpec>? _flow;
    private bool _hasFlow;

    public SadbEntry() => ((Span<ushort>)_ownOffsets).Fill(KernelLayout.Absent);

    /// <summary>The extensions an SA keeps, as slot numbers of <see cref="Extensions"/>: the shared ones, then its own (from <see cref="Slot.KeyAuth"/>).</summary>
    private enum Slot
    {
        Sa,
        Source,
        Destination,
        LifetimeSoft,
        LifetimeHard,
        IdentitySource,
        IdentityDestination,
        UdpEncap,
        Tag,
        Tap,
        Iface,
        KeyAuth,
        KeyEncrypt,
    }

    private const int SlotCount = (int)Slot.KeyEncrypt + 1;
    private const int FirstOwn = (int)Slot.KeyAuth;

    /// <summary>How the SA is found. Changed only while the entry is out of the kernel's index.</summary>
    public SaKey Key { get; set; }

    public SadbSaType SaType => Key.SaType;

    public uint Spi => Key.Spi;

    public uint RoutingDomain => Key.RoutingDomain;

    public bool Larval { get; private set; }

    /// <summary>The SA extension as imported but with SPI 0 (<see cref="Key"/> holds it); its SPI and state are rewritten on export.</summary>
    private ReadOnlyMemory<byte> Sa => Get(Slot.Sa) ?? throw new InvalidOperationException("an SA entry without its SA extension");

    /// <summary>ADDRESS_SRC as given (null: the SA was added without one).</summary>
    public ReadOnlyMemory<byte>? SourceExtension => Get(Slot.Source);

    /// <summary>ADDRESS_DST as given, or the ADDRESS_PROXY that replaced it (exports retype it).</summary>
    public ReadOnlyMemory<byte> DestinationExtension => Get(Slot.Destination) ?? throw new InvalidOperationException("an SA entry without its destination");

    public uint CurrentAllocations { get; set; }

    public ulong CurrentBytes { get; set; }

    public ulong Established { get; set; }

    public ulong FirstUse { get; set; }

    public FlowSpec? Flow
    {
        get => _hasFlow ? _flow!.Value : null;
        set
        {
            _hasFlow = value is not null;
            if (value is { } flow)
            {
                (_flow ??= new StrongBox<FlowSpec>()).Value = flow;
            }
        }
    }

    public ushort RoutingDomainPost { get; set; }

    public uint Mtu { get; set; }

    /// <summary>The next SA of an SA bundle (tdb_onext, set by X_GRPSPIS).</summary>
    public SadbEntry? Next { get; set; }

    public SadbSaType DumpSaType => Larval ? SadbSaType.Unspec : SaType;

    SadbSaType IDumpRecordSource.RecordSaType => DumpSaType;

    /// <summary>
    /// Makes this entry the SA of an ADD or UPDATE of a larval SA (import_sa, import_address, import_lifetime, import_key,
    /// import_identities, import_flow, ...).
    /// </summary>
    public void ImportRequest(ExtensionGroups groups, KernelRequest request, AddressKey destination, uint routingDomain, ulong now, FlowSpec? flow)
    {
        var sa = request.Required(SadbExtensionType.Sa);
        Reset(new SaKey(request.Header.SaType, KernelLayout.ReadSa(sa).Spi, destination, routingDomain), larval: false, now);
        Flow = flow;

        var extensions = default(Extensions);
        extensions[(int)Slot.Sa] = sa;
        extensions[(int)Slot.Source] = request[SadbExtensionType.AddressSrc];
        extensions[(int)Slot.Destination] = request.Required(SadbExtensionType.AddressDst);
        extensions[(int)Slot.KeyAuth] = request[SadbExtensionType.KeyAuth];
        extensions[(int)Slot.KeyEncrypt] = request[SadbExtensionType.KeyEncrypt];
        if (request[SadbExtensionType.IdentitySrc] is { } idSource && request[SadbExtensionType.IdentityDst] is { } idDestination)
        {
            extensions[(int)Slot.IdentitySource] = idSource;
            extensions[(int)Slot.IdentityDestination] = idDestination;
        }

        if (request[SadbExtensionType.XRdomain] is { } rdomain)
        {
            RoutingDomainPost = KernelLayout.ReadRdomain(rdomain).Domain2;
        }

        ImportChangeable(request, ref extensions);
        Store(groups, extensions);
    }

    /// <summary>Makes this entry a larval SA reserved by GETSPI: its SA extension, and the addresses of the request.</summary>
    public void ImportReserved(ExtensionGroups groups, SaKey key, ReadOnlyMemory<byte> sa, ReadOnlyMemory<byte>? source, ReadOnlyMemory<byte> destination, ulong now)
    {
        Reset(key, larval: true, now);
        var extensions = default(Extensions);
        extensions[(int)Slot.Sa] = sa;
        extensions[(int)Slot.Source] = source;
        extensions[(int)Slot.Destination] = destination;
        Store(groups, extensions);
    }

    /// <summary>Gives the kept extensions back to <paramref name="groups"/> once the entry left the kernel, so that it can be reused.</summary>
    public void Release(ExtensionGroups groups)
    {
        groups.Release(_shared);
        groups.Arena.Free(_own);
        _shared = null;
        _own = ArenaBlob.None;
        ((Span<ushort>)_ownOffsets).Fill(KernelLayout.Absent);
        Next = null;
        _hasFlow = false;
    }

    /// <summary>
    /// An UPDATE of a mature SA: what <see cref="ImportChangeable"/> covers, a new ADDRESS_SRC, and
    /// ADDRESS_PROXY as the new destination extension (the caller rekeys the entry for it).
    /// </summary>
    public void UpdateMature(ExtensionGroups groups, KernelRequest request)
    {
        var extensions = Load();
        ImportChangeable(request, ref extensions);
        if (request[SadbExtensionType.AddressSrc] is { } source)
        {
            extensions[(int)Slot.Source] = source;
        }

        if (request[SadbExtensionType.AddressProxy] is { } proxy)
        {
            extensions[(int)Slot.Destination] = proxy;
        }

        Store(groups, extensions);
    }

    /// <summary>Bytes <see cref="ExportTo"/> writes.</summary>
    public int ExportLength()
    {
        var length = SaExtension.Size + LifetimeExtension.Size
            + LengthOf(Slot.LifetimeSoft) + LengthOf(Slot.LifetimeHard)
            + SourceLength
            + LengthOf(Slot.Destination)
            + LengthOf(Slot.IdentitySource) + LengthOf(Slot.IdentityDestination)
            + LengthOf(Slot.KeyAuth) + LengthOf(Slot.KeyEncrypt)
            + LengthOf(Slot.UdpEncap) + ReplayExtension.Size
            + LengthOf(Slot.Tag) + LengthOf(Slot.Tap) + LengthOf(Slot.Iface) + CounterExtension.Size;
        if (Flow is { } flow)
        {
            length += flow.ExportLength;
        }

        if (Next is { } next)
        {
            length += SaExtension.Size + next.LengthOf(Slot.Destination) + new SaType2Extension(next.DumpSaType).ByteLength;
        }

        if (Mtu > 0)
        {
            length += MtuExtension.Size;
        }

        if (RoutingDomainPost != RoutingDomain)
        {
            length += RdomainExtension.Size;
        }

        return length;
    }

    /// <summary>
    /// Writes the extensions pfkeyv2_get produces for this SA, in its layout order, to the start of
    /// <paramref name="destination"/> (at least <see cref="ExportLength"/> bytes); returns the bytes written.
    /// </summary>
    public int ExportTo(Span<byte> destination)
    {
        ExportSa(SadbExtensionType.Sa).Write(destination);
        var offset = SaExtension.Size;
        new LifetimeExtension(SadbExtensionType.LifetimeCurrent, CurrentAllocations, CurrentBytes, Established, FirstUse).Write(destination[offset..]);
        offset += LifetimeExtension.Size;
        offset += CopyRetyped(Slot.LifetimeSoft, SadbExtensionType.LifetimeSoft, destination[offset..]);
        offset += CopyRetyped(Slot.LifetimeHard, SadbExtensionType.LifetimeHard, destination[offset..]);
        offset += WriteSource(destination[offset..]);
        offset += CopyRetyped(Slot.Destination, SadbExtensionType.AddressDst, destination[offset..]);
        offset += CopyRetyped(Slot.IdentitySource, SadbExtensionType.IdentitySrc, destination[offset..]);
        offset += CopyRetyped(Slot.IdentityDestination, SadbExtensionType.IdentityDst, destination[offset..]);
        offset += CopyRetyped(Slot.KeyAuth, SadbExtensionType.KeyAuth, destination[offset..]);
        offset += CopyRetyped(Slot.KeyEncrypt, SadbExtensionType.KeyEncrypt, destination[offset..]);
        if (Flow is { } flow)
        {
            offset += flow.ExportTo(destination[offset..], SadbFlowType.Use);
        }

        if (Next is { } next)
        {
            next.ExportSa(SadbExtensionType.XSa2).Write(destination[offset..]);
            offset += SaExtension.Size;
            offset += next.CopyRetyped(Slot.Destination, SadbExtensionType.XDst2, destination[offset..]);
            var saType2 = new SaType2Extension(next.DumpSaType);
            saType2.Write(destination[offset..]);
            offset += saType2.ByteLength;
        }

        offset += CopyRetyped(Slot.UdpEncap, SadbExtensionType.XUdpEncap, destination[offset..]);
        new ReplayExtension(0).Write(destination[offset..]);
        offset += ReplayExtension.Size;
        if (Mtu > 0)
        {
            new MtuExtension(Mtu).Write(destination[offset..]);
            offset += MtuExtension.Size;
        }

        if (RoutingDomainPost != RoutingDomain)
        {
            new RdomainExtension((ushort)RoutingDomain, RoutingDomainPost).Write(destination[offset..]);
            offset += RdomainExtension.Size;
        }

        offset += CopyRetyped(Slot.Tag, SadbExtensionType.XTag, destination[offset..]);
        offset += CopyRetyped(Slot.Tap, SadbExtensionType.XTap, destination[offset..]);
        offset += CopyRetyped(Slot.Iface, SadbExtensionType.XIface, destination[offset..]);
        new CounterExtension(0, 0, 0, 0, 0, 0, 0, 0).Write(destination[offset..]);
        return offset + CounterExtension.Size;
    }

    /// <summary>
    /// The SADB_EXPIRE pfkeyv2_expire sends for this SA: SA, LIFETIME_CURRENT, the expired lifetime
    /// (zero when the SA has none of that kind), ADDRESS_SRC, ADDRESS_DST.
    /// </summary>
    public byte[] ExpireMessage(SadbHeader header, bool hard)
    {
        var (slot, type) = hard ? (Slot.LifetimeHard, SadbExtensionType.LifetimeHard) : (Slot.LifetimeSoft, SadbExtensionType.LifetimeSoft);
        var length = SadbHeader.Size + SaExtension.Size + LifetimeExtension.Size + LifetimeExtension.Size
            + SourceLength
            + LengthOf(Slot.Destination);
        var message = new byte[length];
        (header with { Length = (ushort)(length / 8) }).WriteTo(message);
        var span = message.AsSpan(SadbHeader.Size);
        ExportSa(SadbExtensionType.Sa).Write(span);
        var offset = SaExtension.Size;
        new LifetimeExtension(SadbExtensionType.LifetimeCurrent, CurrentAllocations, CurrentBytes, Established, FirstUse).Write(span[offset..]);
        offset += LifetimeExtension.Size;
        if (CopyRetyped(slot, type, span[offset..]) == 0)
        {
            new LifetimeExtension(type, 0, 0, 0, 0).Write(span[offset..]);
        }

        offset += LifetimeExtension.Size;
        offset += WriteSource(span[offset..]);
        CopyRetyped(Slot.Destination, SadbExtensionType.AddressDst, span[offset..]);
        return message;
    }

    /// <summary>export_sa: the stored SA fields with the state the kernel reports.</summary>
    public SaExtension ExportSa(SadbExtensionType type) =>
        KernelLayout.ReadSa(Sa) with { Spi = Spi, State = Larval ? SadbSaState.Larval : SadbSaState.Mature, Type = type };

    public SimulatedSa ToSnapshot() => new(
        SaType,
        Spi,
        SourceExtension is { } source && AddressKey.TryRead(source, out var address, out _) ? address.ToIPAddress() : null,
        Key.Destination.ToIPAddress(),
        Larval ? SadbSaState.Larval : SadbSaState.Mature,
        RoutingDomain,
        OffsetOf(Slot.KeyAuth) != KernelLayout.Absent,
        OffsetOf(Slot.KeyEncrypt) != KernelLayout.Absent,
        Mtu);

    /// <summary>What an UPDATE of a mature SA may change: SA flags, lifetimes, UDP encapsulation, tag, tap, interface.</summary>
    private void ImportChangeable(KernelRequest request, ref Extensions extensions)
    {
        if (request[SadbExtensionType.Sa] is { } sa)
        {
            extensions[(int)Slot.Sa] = sa;
        }

        if (request[SadbExtensionType.LifetimeCurrent] is { } current)
        {
            var lifetime = KernelLayout.ReadLifetime(current);
            (CurrentAllocations, CurrentBytes, Established, FirstUse) = (lifetime.Allocations, lifetime.Bytes, lifetime.AddTime, lifetime.UseTime);
        }

        if (request[SadbExtensionType.LifetimeSoft] is { } soft)
        {
            extensions[(int)Slot.LifetimeSoft] = KernelLayout.LifetimeIsSet(KernelLayout.ReadLifetime(soft)) ? soft : (ReadOnlyMemory<byte>?)null;
        }

        if (request[SadbExtensionType.LifetimeHard] is { } hard)
        {
            extensions[(int)Slot.LifetimeHard] = KernelLayout.LifetimeIsSet(KernelLayout.ReadLifetime(hard)) ? hard : (ReadOnlyMemory<byte>?)null;
        }

        if (request[SadbExtensionType.XUdpEncap] is { } udpencap && KernelLayout.UdpEncapIsSet(udpencap))
        {
            extensions[(int)Slot.UdpEncap] = udpencap;
        }

        if (request[SadbExtensionType.XTag] is { } tag)
        {
            extensions[(int)Slot.Tag] = tag;
        }

        if (request[SadbExtensionType.XTap] is { } tap && KernelLayout.TapIsSet(tap))
        {
            extensions[(int)Slot.Tap] = tap;
        }

        if (request[SadbExtensionType.XIface] is { } iface)
        {
            extensions[(int)Slot.Iface] = iface;
        }
    }

    private ReadOnlyMemory<byte>? Get(Slot slot) => KernelLayout.Kept(BufferOf(slot), OffsetOf(slot));

    private int LengthOf(Slot slot) => KernelLayout.KeptLength(BufferOf(slot), OffsetOf(slot));

    private ushort OffsetOf(Slot slot) =>
        (int)slot >= FirstOwn ? _ownOffsets[(int)slot - FirstOwn] : _shared?.Offset((int)slot) ?? KernelLayout.Absent;

    private byte[] BufferOf(Slot slot) => (int)slot >= FirstOwn ? _own.Buffer : _shared?.Buffer ?? [];

    private int SourceLength => OffsetOf(Slot.Source) == KernelLayout.Absent ? AddressExtension.HeaderSize : LengthOf(Slot.Source);

    private int CopyRetyped(Slot slot, SadbExtensionType type, Span<byte> destination) =>
        KernelLayout.CopyKept(BufferOf(slot), OffsetOf(slot), type, destination);

    /// <summary>ADDRESS_SRC, or the empty address export_address lays out for an SA without one.</summary>
    private int WriteSource(Span<byte> destination)
    {
        var length = CopyRetyped(Slot.Source, SadbExtensionType.AddressSrc, destination);
        if (length != 0)
        {
            return length;
        }

        var empty = destination[..AddressExtension.HeaderSize];
        empty.Clear();
        KernelLayout.WriteExtensionHeader(empty, SadbExtensionType.AddressSrc);
        return AddressExtension.HeaderSize;
    }

    private Extensions Load()
    {
        var extensions = default(Extensions);
        for (var slot = 0; slot < SlotCount; slot++)
        {
            extensions[slot] = Get((Slot)slot);
        }

        return extensions;
    }

    /// <summary>Keeps <paramref name="extensions"/> (which may lie in what the entry keeps now): the shared ones as a group, the keys in a blob of its own.</summary>
    private void Store(ExtensionGroups groups, Extensions extensions)
    {
        // The SPI is every SA's own: shared without it, the SA extension is the same for all SAs of the same settings.
        if (extensions[(int)Slot.Sa] is { } sa && sa.Length >= 8)
        {
            var withoutSpi = groups.Scratch(sa.Span);
            withoutSpi.Span[4..8].Clear();
            extensions[(int)Slot.Sa] = withoutSpi;
        }

        ReadOnlySpan<ReadOnlyMemory<byte>?> all = extensions;
        var shared = groups.Share(all[..FirstOwn]);
        _own = KernelLayout.Keep(groups.Arena, _own, all[FirstOwn..], _ownOffsets);
        groups.Release(_shared);
        _shared = shared;
    }

    private void Reset(SaKey key, bool larval, ulong now)
    {
        Key = key;
        Larval = larval;
        (CurrentAllocations, CurrentBytes, Established, FirstUse) = (0, 0, now, 0);
        Flow = null;
        RoutingDomainPost = (ushort)key.RoutingDomain;
        Mtu = 0;
        Next = null;
    }

    /// <summary>The kept extensions while they are being imported or changed, one per <see cref="Slot"/>.</summary>
    [InlineArray(SlotCount)]
    private struct Extensions
    {
        private ReadOnlyMemory<byte>? _element;
    }

    /// <summary>Where each key starts in the entry's own blob (<see cref="KernelLayout.Absent"/>: not kept).</summary>
    [InlineArray(SlotCount - FirstOwn)]
    private struct OwnOffsets
    {
        private ushort _element;
    }

    /// <summary>Compares entries by <see cref="Key"/>, and finds them by a bare <see cref="SaKey"/>.</summary>
    public sealed class KeyComparer : IEqualityComparer<SadbEntry>, IAlternateEqualityComparer<SaKey, SadbEntry>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(SadbEntry? x, SadbEntry? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.Key == y.Key);

        public int GetHashCode(SadbEntry obj) => obj.Key.GetHashCode();

        public bool Equals(SaKey alternate, SadbEntry other) => alternate == other.Key;

        public int GetHashCode(SaKey alternate) => alternate.GetHashCode();

        public SadbEntry Create(SaKey alternate) => throw new NotSupportedException("entries are added whole, not made from a key");
    }
}
