using System.Net;
using System.Net.Sockets;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// A flow as the kernel keys it (struct sockaddr_encap and its mask): addresses and ports already
/// masked, the transport protocol and the direction. Two flows are the same SPD entry exactly when
/// these are equal (and the routing domain matches).
/// </summary>
internal sealed record FlowSpec(
    IPAddress SourceFlow,
    IPAddress SourceMask,
    ushort SourcePort,
    ushort SourcePortMask,
    IPAddress DestinationFlow,
    IPAddress DestinationMask,
    ushort DestinationPort,
    ushort DestinationPortMask,
    byte Protocol,
    SadbDirection Direction)
{
    /// <summary>import_flow: reads the four address extensions and the protocol; false (EINVAL) when the families differ or do not parse.</summary>
    public static bool TryImport(KernelRequest request, out FlowSpec? flow)
    {
        flow = null;
        if (!TryRead(request[SadbExtensionType.XSrcFlow], out var srcFlow, out var srcPort)
            || !TryRead(request[SadbExtensionType.XSrcMask], out var srcMask, out var srcPortMask)
            || !TryRead(request[SadbExtensionType.XDstFlow], out var dstFlow, out var dstPort)
            || !TryRead(request[SadbExtensionType.XDstMask], out var dstMask, out var dstPortMask))
        {
            return false;
        }

        var family = srcFlow.AddressFamily;
        if (srcMask.AddressFamily != family || dstFlow.AddressFamily != family || dstMask.AddressFamily != family)
        {
            return false;
        }

        var protocol = request[SadbExtensionType.XProtocol] is { } proto ? KernelLayout.Read<ProtocolExtension>(proto, ProtocolExtension.TryRead).Protocol : (byte)0;
        var direction = KernelLayout.Read<FlowTypeExtension>(request[SadbExtensionType.XFlowType]!, FlowTypeExtension.TryRead).Direction;
        flow = new FlowSpec(
            Masked(srcFlow, srcMask), srcMask, (ushort)(srcPort & srcPortMask), srcPortMask,
            Masked(dstFlow, dstMask), dstMask, (ushort)(dstPort & dstPortMask), dstPortMask,
            protocol, direction);
        return true;
    }

    /// <summary>export_flow: FLOW_TYPE, PROTOCOL, SRC_FLOW, SRC_MASK, DST_FLOW, DST_MASK in that order.</summary>
    public IEnumerable<byte[]> Export(SadbFlowType type)
    {
        yield return KernelLayout.Bytes(new FlowTypeExtension(type, Direction));
        yield return KernelLayout.Bytes(new ProtocolExtension(Protocol));
        yield return KernelLayout.Bytes(new AddressExtension(SadbExtensionType.XSrcFlow, SourceFlow, SourcePort));
        yield return KernelLayout.Bytes(new AddressExtension(SadbExtensionType.XSrcMask, SourceMask, SourcePortMask));
        yield return KernelLayout.Bytes(new AddressExtension(SadbExtensionType.XDstFlow, DestinationFlow, DestinationPort));
        yield return KernelLayout.Bytes(new AddressExtension(SadbExtensionType.XDstMask, DestinationMask, DestinationPortMask));
    }

    private static bool TryRead(byte[]? extension, out IPAddress address, out ushort port)
    {
        address = IPAddress.None;
        port = 0;
        return extension is not null && KernelLayout.TryReadAddress(extension, out address, out port)
            && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
    }

    private static IPAddress Masked(IPAddress address, IPAddress mask)
    {
        var bytes = address.GetAddressBytes();
        var maskBytes = mask.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] &= maskBytes[i];
        }

        return new IPAddress(bytes);
    }
}
