namespace Sasync.Core.PfKey;

/// <summary>
/// X_FLOW_TYPE, a <c>sadb_protocol</c> whose proto byte is the flow type and whose direction
/// byte is IPSP_DIRECTION_IN/OUT. <see cref="Flags"/> may hold SADB_X_POLICYFLAGS_POLICY (1).
/// </summary>
public readonly record struct FlowTypeExtension(SadbFlowType FlowType, SadbDirection Direction, byte Flags = 0) : IPfKeyExtensionWriter
{
    /// <summary>SADB_X_POLICYFLAGS_POLICY in <see cref="Flags"/>.</summary>
    public const byte PolicyFlag = 0x01;

    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.XFlowType;

    /// <inheritdoc/>
    public int ByteLength => ProtocolLayout.Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="FlowTypeExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out FlowTypeExtension flowType, out PfKeyError error)
    {
        var ok = ProtocolLayout.TryRead(extension, SadbExtensionType.XFlowType, "a flow type", out var fields, out error);
        flowType = ok ? new FlowTypeExtension((SadbFlowType)fields.Proto, (SadbDirection)fields.Direction, fields.Flags) : default;
        return ok;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination) => ProtocolLayout.Write(destination, Type, (byte)FlowType, (byte)Direction, Flags);
}
