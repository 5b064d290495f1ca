namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_mtu</c> (8 bytes): X_MTU, only ever sent by the kernel.</summary>
public readonly record struct MtuExtension(uint Mtu) : IPfKeyExtensionWriter
{
    /// <summary>The extension's size in bytes, its <c>sadb_ext</c> header included.</summary>
    public const int Size = Uint32Layout.Size;

    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.XMtu;

    /// <inheritdoc/>
    public int ByteLength => Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="MtuExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out MtuExtension mtu, out PfKeyError error)
    {
        var ok = Uint32Layout.TryRead(extension, SadbExtensionType.XMtu, "an MTU", out var value, out error);
        mtu = new MtuExtension(value);
        return ok;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination) => Uint32Layout.Write(destination, Type, Mtu);
}
