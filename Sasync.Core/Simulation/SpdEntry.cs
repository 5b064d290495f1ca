using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>One flow of the simulated SPD (an ipsec_policy). Mutable, only touched under the kernel's lock.</summary>
/// <remarks>
/// The address and identity extensions it keeps stay in the buffer of the X_ADDFLOW that set them
/// (the kernel's copy of the message), found by their offsets there: keeping them copies nothing.
/// </remarks>
internal sealed class SpdEntry : ListedEntry<SpdEntry>
{
    private byte[] _buffer = [];
    private Offsets _offsets;

    public SpdEntry(FlowSpec flow, uint routingDomain)
    {
        Flow = flow;
        RoutingDomain = routingDomain;
        ((Span<ushort>)_offsets).Fill(KernelLayout.Absent);
    }

    private enum Slot
    {
        Source,
        Destination,
        IdentitySource,
        IdentityDestination,
    }

    private const int SlotCount = (int)Slot.IdentityDestination + 1;

    public FlowSpec Flow { get; }

    public uint RoutingDomain { get; }

    public SadbFlowType Type { get; set; }

    /// <summary>The SA type the flow asks for (0 when it maps to none of ESP, AH, IPCOMP, IPIP).</summary>
    public SadbSaType SaType { get; set; }

    /// <summary>Set by SADB_X_POLICYFLAGS_POLICY: only another static request may change or delete it.</summary>
    public bool IsStatic { get; set; }

    public ReadOnlyMemory<byte>? SourceExtension => KernelLayout.Kept(_buffer, _offsets[(int)Slot.Source]);

    public ReadOnlyMemory<byte>? DestinationExtension => KernelLayout.Kept(_buffer, _offsets[(int)Slot.Destination]);

    /// <summary>Sets the kept ADDRESS_SRC and ADDRESS_DST, and the identities only when both are given.</summary>
    public void SetExtensions(ReadOnlyMemory<byte>? source, ReadOnlyMemory<byte>? destination, ReadOnlyMemory<byte>? identitySource, ReadOnlyMemory<byte>? identityDestination)
    {
        var bothIdentities = identitySource is not null && identityDestination is not null;
        ReadOnlySpan<ReadOnlyMemory<byte>?> extensions =
            [source, destination, bothIdentities ? identitySource : null, bothIdentities ? identityDestination : null];
        _buffer = KernelLayout.Keep(extensions, _offsets);
    }

    /// <summary>Bytes <see cref="ExportTo"/> writes.</summary>
    public int ExportLength()
    {
        var length = Flow.ExportLength;
        for (var slot = 0; slot < SlotCount; slot++)
        {
            length += KernelLayout.KeptLength(_buffer, _offsets[slot]);
        }

        return length;
    }

    /// <summary>pfkeyv2_dump_policy: [ADDRESS_SRC], [ADDRESS_DST], the flow, [IDENTITY_SRC, IDENTITY_DST]; returns the bytes written.</summary>
    public int ExportTo(Span<byte> destination)
    {
        var offset = KernelLayout.CopyKept(_buffer, _offsets[(int)Slot.Source], SadbExtensionType.AddressSrc, destination);
        offset += KernelLayout.CopyKept(_buffer, _offsets[(int)Slot.Destination], SadbExtensionType.AddressDst, destination[offset..]);
        offset += Flow.ExportTo(destination[offset..], Type);
        offset += KernelLayout.CopyKept(_buffer, _offsets[(int)Slot.IdentitySource], SadbExtensionType.IdentitySrc, destination[offset..]);
        offset += KernelLayout.CopyKept(_buffer, _offsets[(int)Slot.IdentityDestination], SadbExtensionType.IdentityDst, destination[offset..]);
        return offset;
    }

    public SimulatedFlow ToSnapshot() => new(
        Flow.SourceFlow.ToIPAddress(), Flow.SourceMask.ToIPAddress(), Flow.SourcePort,
        Flow.DestinationFlow.ToIPAddress(), Flow.DestinationMask.ToIPAddress(), Flow.DestinationPort,
        Flow.Protocol, Flow.Direction, Type, SaType, Read(SourceExtension), Read(DestinationExtension), RoutingDomain);

    private static System.Net.IPAddress? Read(ReadOnlyMemory<byte>? extension) =>
        extension is { } bytes && AddressKey.TryRead(bytes, out var address, out _) ? address.ToIPAddress() : null;

    /// <summary>Where each kept extension starts in the entry's buffer (<see cref="KernelLayout.Absent"/>: not kept).</summary>
    [System.Runtime.CompilerServices.InlineArray(SlotCount)]
    private struct Offsets
    {
        private ushort _element;
    }

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
