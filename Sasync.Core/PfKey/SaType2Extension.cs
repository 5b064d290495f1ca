namespace Sasync.Core.PfKey;

/// <summary>X_SATYPE2, a <c>sadb_protocol</c> whose proto byte is the SA type of the grouped second SA.</summary>
public readonly record struct SaType2Extension(SadbSaType SaType) : IPfKeyExtensionWriter
{
    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.XSaType2;

    /// <inheritdoc/>
    public int ByteLength => ProtocolLayout.Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="SaType2Extension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out SaType2Extension saType2, out PfKeyError error)
    {
        var ok = ProtocolLayout.TryRead(extension, SadbExtensionType.XSaType2, "an SA type", out var fields, out error);
        saType2 = ok ? new SaType2Extension((SadbSaType)fields.Proto) : default;
        return ok;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination) => ProtocolLayout.Write(destination, Type, (byte)SaType, 0, 0);
}
