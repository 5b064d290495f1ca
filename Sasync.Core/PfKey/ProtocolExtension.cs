namespace Sasync.Core.PfKey;

/// <summary>X_PROTOCOL: the transport protocol (IPPROTO_*) a flow matches, 0 for any.</summary>
public readonly record struct ProtocolExtension(byte Protocol, SadbDirection Direction = SadbDirection.None, byte Flags = 0) : IPfKeyExtensionWriter
{
    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.XProtocol;

    /// <inheritdoc/>
    public int ByteLength => ProtocolLayout.Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="ProtocolExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out ProtocolExtension protocol, out PfKeyError error)
    {
        var ok = ProtocolLayout.TryRead(extension, SadbExtensionType.XProtocol, "a protocol", out var fields, out error);
        protocol = ok ? new ProtocolExtension(fields.Proto, (SadbDirection)fields.Direction, fields.Flags) : default;
        return ok;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination) => ProtocolLayout.Write(destination, Type, Protocol, (byte)Direction, Flags);
}
