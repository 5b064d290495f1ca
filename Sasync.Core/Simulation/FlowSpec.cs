using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// A flow as the kernel keys it (struct sockaddr_encap and its mask): addresses and ports already
/// masked, the transport protocol and the direction. Two flows are the same SPD entry exactly when
/// these are equal (and the routing domain matches). A value, so importing one allocates nothing.
/// </summary>
internal readonly record struct FlowSpec(
    AddressKey SourceFlow,
    AddressKey SourceMask,
    ushort SourcePort,
    ushort SourcePortMask,
    AddressKey DestinationFlow,
    AddressKey DestinationMask,
    ushort DestinationPort,
    ushort DestinationPortMask,
    byte Protocol,
    SadbDirection Direction)
{
    private const int FlowTypeAndProtocolLength = 2 * ProtocolLayout.Size;

    /// <summary>import_flow: reads the four address extensions and the protocol; false (EINVAL) when the families differ or do not parse.</summary>
    public static bool TryImport(KernelRequest request, out FlowSpec flow)
    {
        flow = default;
        if (!TryRead(request[SadbExtensionType.XSrcFlow], out var srcFlow, out var srcPort)
            || !TryRead(request[SadbExtensionType.XSrcMask], out var srcMask, out var srcPortMask)
            || !TryRead(request[SadbExtensionType.XDstFlow], out var dstFlow, out var dstPort)
            || !TryRead(request[SadbExtensionType.XDstMask], out var dstMask, out var dstPortMask))
        {
            return false;
        }

        var isV6 = srcFlow.IsV6;
        if (srcMask.IsV6 != isV6 || dstFlow.IsV6 != isV6 || dstMask.IsV6 != isV6)
        {
            return false;
        }

        var protocol = request[SadbExtensionType.XProtocol] is { } proto ? KernelLayout.ReadProtocol(proto).Protocol : (byte)0;
        var direction = KernelLayout.ReadFlowType(request.Required(SadbExtensionType.XFlowType)).Direction;
        flow = new FlowSpec(
            srcFlow.Masked(srcMask), srcMask, (ushort)(srcPort & srcPortMask), srcPortMask,
            dstFlow.Masked(dstMask), dstMask, (ushort)(dstPort & dstPortMask), dstPortMask,
            protocol, direction);
        return true;
    }

    /// <summary>Bytes <see cref="ExportTo"/> writes.</summary>
    public int ExportLength =>
        FlowTypeAndProtocolLength + SourceFlow.ExtensionLength + SourceMask.ExtensionLength + DestinationFlow.ExtensionLength + DestinationMask.ExtensionLength;

    /// <summary>export_flow: FLOW_TYPE, PROTOCOL, SRC_FLOW, SRC_MASK, DST_FLOW, DST_MASK in that order; returns the bytes written.</summary>
    public int ExportTo(Span<byte> destination, SadbFlowType type)
    {
        new FlowTypeExtension(type, Direction).Write(destination);
        var offset = ProtocolLayout.Size;
        new ProtocolExtension(Protocol).Write(destination[offset..]);
        offset += ProtocolLayout.Size;
        offset += SourceFlow.WriteExtension(destination[offset..], SadbExtensionType.XSrcFlow, SourcePort);
        offset += SourceMask.WriteExtension(destination[offset..], SadbExtensionType.XSrcMask, SourcePortMask);
        offset += DestinationFlow.WriteExtension(destination[offset..], SadbExtensionType.XDstFlow, DestinationPort);
        offset += DestinationMask.WriteExtension(destination[offset..], SadbExtensionType.XDstMask, DestinationPortMask);
        return offset;
    }

    private static bool TryRead(ReadOnlyMemory<byte>? extension, out AddressKey address, out ushort port)
    {
        address = AddressKey.None;
        port = 0;
        return extension is { } bytes && AddressKey.TryRead(bytes, out address, out port);
    }
}
