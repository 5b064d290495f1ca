namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_policy</c> (8 bytes): X_POLICY, the sequence number of a policy.</summary>
public readonly record struct PolicyExtension(uint Sequence) : IPfKeyExtensionWriter
{
    /// <summary>The extension's size in bytes, its <c>sadb_ext</c> header included.</summary>
    public const int Size = Uint32Layout.Size;

    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.XPolicy;

    /// <inheritdoc/>
    public int ByteLength => Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="PolicyExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out PolicyExtension policy, out PfKeyError error)
    {
        var ok = Uint32Layout.TryRead(extension, SadbExtensionType.XPolicy, "a policy", out var value, out error);
        policy = new PolicyExtension(value);
        return ok;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination) => Uint32Layout.Write(destination, Type, Sequence);
}
