namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_policy</c> (8 bytes): X_POLICY, the sequence number of a policy.</summary>
public readonly record struct PolicyExtension(uint Sequence) : IPfKeyExtensionWriter
{
    public const int Size = Uint32Layout.Size;

    public SadbExtensionType Type => SadbExtensionType.XPolicy;

    public int ByteLength => Size;

    public static bool TryRead(PfKeyExtension extension, out PolicyExtension policy, out PfKeyError error)
    {
        var ok = Uint32Layout.TryRead(extension, SadbExtensionType.XPolicy, "a policy", out var value, out error);
        policy = new PolicyExtension(value);
        return ok;
    }

    public void Write(Span<byte> destination) => Uint32Layout.Write(destination, Type, Sequence);
}
