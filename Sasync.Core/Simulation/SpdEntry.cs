using System.Net;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>One flow of the simulated SPD (an ipsec_policy). Mutable, only touched under the kernel's lock.</summary>
internal sealed class SpdEntry
{
    public required FlowSpec Flow { get; init; }

    public required uint RoutingDomain { get; init; }

    /// <summary>Where the entry sits in the kernel's SPD list, for O(1) removal (null once removed).</summary>
    public LinkedListNode<SpdEntry>? ListNode { get; set; }

    public SadbFlowType Type { get; set; }

    /// <summary>The SA type the flow asks for (0 when it maps to none of ESP, AH, IPCOMP, IPIP).</summary>
    public SadbSaType SaType { get; set; }

    /// <summary>Set by SADB_X_POLICYFLAGS_POLICY: only another static request may change or delete it.</summary>
    public bool IsStatic { get; set; }

    public ReadOnlyMemory<byte>? SourceExtension { get; set; }

    public ReadOnlyMemory<byte>? DestinationExtension { get; set; }

    public ReadOnlyMemory<byte>? IdentitySource { get; set; }

    public ReadOnlyMemory<byte>? IdentityDestination { get; set; }

    /// <summary>pfkeyv2_dump_policy: [ADDRESS_SRC], [ADDRESS_DST], the flow, [IDENTITY_SRC, IDENTITY_DST].</summary>
    public List<byte[]> Export()
    {
        var list = new List<byte[]>();
        if (SourceExtension is { } source)
        {
            list.Add(KernelLayout.Retyped(source, SadbExtensionType.AddressSrc));
        }

        if (DestinationExtension is { } destination)
        {
            list.Add(KernelLayout.Retyped(destination, SadbExtensionType.AddressDst));
        }

        list.AddRange(Flow.Export(Type));
        if (IdentitySource is { } idSource && IdentityDestination is { } idDestination)
        {
            list.Add(KernelLayout.Retyped(idSource, SadbExtensionType.IdentitySrc));
            list.Add(KernelLayout.Retyped(idDestination, SadbExtensionType.IdentityDst));
        }

        return list;
    }

    public SimulatedFlow ToSnapshot() => new(
        Flow.SourceFlow, Flow.SourceMask, Flow.SourcePort, Flow.DestinationFlow, Flow.DestinationMask, Flow.DestinationPort,
        Flow.Protocol, Flow.Direction, Type, SaType, Read(SourceExtension), Read(DestinationExtension), RoutingDomain);

    private static IPAddress? Read(ReadOnlyMemory<byte>? extension) =>
        extension is { } bytes && KernelLayout.TryReadAddress(bytes, out var address, out _) ? address : null;
}
