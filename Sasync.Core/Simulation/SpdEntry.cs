using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>One flow of the simulated SPD (an ipsec_policy). Mutable, only touched under the kernel's lock.</summary>
/// <remarks>
/// The address and identity extensions it keeps (only those: the rest of the X_ADDFLOW is the flow itself) are
/// one group of the kernel's <see cref="ExtensionGroups"/>, shared with every flow that keeps the same ones. The
/// kernel reuses entries it removed (see <see cref="Release"/>), so an SPD whose size stays the same allocates nothing.
/// </remarks>
internal sealed class SpdEntry : ListedEntry<SpdEntry>, IDumpRecordSource
{
    private ExtensionGroup? _group;

    private enum Slot
    {
        Source,
        Destination,
        IdentitySource,
        IdentityDestination,
    }

    private const int SlotCount = (int)Slot.IdentityDestination + 1;

    public FlowSpec Flow { get; private set; }

    public uint RoutingDomain { get; private set; }

    public SadbFlowType Type { get; set; }

    /// <summary>The SA type the flow asks for (0 when it maps to none of ESP, AH, IPCOMP, IPIP).</summary>
    public SadbSaType SaType { get; set; }

    SadbSaType IDumpRecordSource.RecordSaType => SaType;

    /// <summary>Set by SADB_X_POLICYFLAGS_POLICY: only another static request may change or delete it.</summary>
    public bool IsStatic { get; set; }

    public ReadOnlyMemory<byte>? SourceExtension => KernelLayout.Kept(Buffer, OffsetOf(Slot.Source));

    public ReadOnlyMemory<byte>? DestinationExtension => KernelLayout.Kept(Buffer, OffsetOf(Slot.Destination));

    private byte[] Buffer => _group?.Buffer ?? [];

    private ushort OffsetOf(Slot slot) => _group?.Offset((int)slot) ?? KernelLayout.Absent;

    /// <summary>Makes this (new or released) entry the one of <paramref name="flow"/> in <paramref name="routingDomain"/>.</summary>
    public void Reset(FlowSpec flow, uint routingDomain)
    {
        (Flow, RoutingDomain) = (flow, routingDomain);
        (Type, SaType, IsStatic) = (default, default, false);
    }

    /// <summary>Sets the kept ADDRESS_SRC and ADDRESS_DST, and the identities only when both are given.</summary>
    public void SetExtensions(ExtensionGroups groups, ReadOnlyMemory<byte>? source, ReadOnlyMemory<byte>? destination, ReadOnlyMemory<byte>? identitySource, ReadOnlyMemory<byte>? identityDestination)
    {
        var bothIdentities = identitySource is not null && identityDestination is not null;
        ReadOnlySpan<ReadOnlyMemory<byte>?> extensions =
            [source, destination, bothIdentities ? identitySource : null, bothIdentities ? identityDestination : null];
        var group = groups.Share(extensions);
        groups.Release(_group);
        _group = group;
    }

    /// <summary>Gives the kept extensions back to <paramref name="groups"/> once the entry left the kernel, so that it can be reused.</summary>
    public void Release(ExtensionGroups groups)
    {
        groups.Release(_group);
        _group = null;
    }

    /// <summary>Bytes <see cref="ExportTo"/> writes.</summary>
    public int ExportLength()
    {
        var length = Flow.ExportLength;
        for (var slot = 0; slot < SlotCount; slot++)
        {
            length += KernelLayout.KeptLength(Buffer, OffsetOf((Slot)slot));
        }

        return length;
    }

    /// <summary>pfkeyv2_dump_policy: [ADDRESS_SRC], [ADDRESS_DST], the flow, [IDENTITY_SRC, IDENTITY_DST]; returns the bytes written.</summary>
    public int ExportTo(Span<byte> destination)
    {
        var offset = KernelLayout.CopyKept(Buffer, OffsetOf(Slot.Source), SadbExtensionType.AddressSrc, destination);
        offset += KernelLayout.CopyKept(Buffer, OffsetOf(Slot.Destination), SadbExtensionType.AddressDst, destination[offset..]);
        offset += Flow.ExportTo(destination[offset..], Type);
        offset += KernelLayout.CopyKept(Buffer, OffsetOf(Slot.IdentitySource), SadbExtensionType.IdentitySrc, destination[offset..]);
        offset += KernelLayout.CopyKept(Buffer, OffsetOf(Slot.IdentityDestination), SadbExtensionType.IdentityDst, destination[offset..]);
        return offset;
    }

    public SimulatedFlow ToSnapshot() => new(
        Flow.SourceFlow.ToIPAddress(), Flow.SourceMask.ToIPAddress(), Flow.SourcePort,
        Flow.DestinationFlow.ToIPAddress(), Flow.DestinationMask.ToIPAddress(), Flow.DestinationPort,
        Flow.Protocol, Flow.Direction, Type, SaType, Read(SourceExtension), Read(DestinationExtension), RoutingDomain);

    private static System.Net.IPAddress? Read(ReadOnlyMemory<byte>? extension) =>
        extension is { } bytes && AddressKey.TryRead(bytes, out var address, out _) ? address.ToIPAddress() : null;

    /// <summary>Compares entries by routing domain and flow, and finds them by a bare <see cref="FlowKey"/>.</summary>
    public sealed class KeyComparer : IEqualityComparer<SpdEntry>, IAlternateEqualityComparer<FlowKey, SpdEntry>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(SpdEntry? x, SpdEntry? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && x.RoutingDomain == y.RoutingDomain && x.Flow == y.Flow);

        public int GetHashCode(SpdEntry obj) => new FlowKey(obj.RoutingDomain, obj.Flow).GetHashCode();

        public bool Equals(FlowKey alternate, SpdEntry other) => alternate.RoutingDomain == other.RoutingDomain && alternate.Flow == other.Flow;

        public int GetHashCode(FlowKey alternate) => alternate.GetHashCode();

        public SpdEntry Create(FlowKey alternate) => throw new NotSupportedException("entries are added whole, not made from a key");
    }
}
