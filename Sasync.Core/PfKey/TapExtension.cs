namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_tap</c> (8 bytes): X_TAP, the enc(4) interface unit.</summary>
public readonly record struct TapExtension(uint Unit) : IPfKeyExtensionWriter
{
    /// <summary>The extension's size in bytes, its <c>sadb_ext</c> header included.</summary>
    public const int Size = Uint32Layout.Size;

    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.XTap;

    /// <inheritdoc/>
    public int ByteLength => Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="TapExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out TapExtension tap, out PfKeyError error)
    {
        var ok = Uint32Layout.TryRead(extension, SadbExtensionType.XTap, "a tap unit", out var value, out error);
        tap = new TapExtension(value);
        return ok;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination) => Uint32Layout.Write(destination, Type, Unit);
}
