namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_mtu</c> (8 bytes): X_MTU, only ever sent by the kernel.</summary>
public readonly record struct MtuExtension(uint Mtu) : IPfKeyExtensionWriter
{
    public const int Size = Uint32Layout.Size;

    public SadbExtensionType Type => SadbExtensionType.XMtu;

    public int ByteLength => Size;

    public static bool TryRead(PfKeyExtension extension, out MtuExtension mtu, out PfKeyError error)
    {
        var ok = Uint32Layout.TryRead(extension, SadbExtensionType.XMtu, "an MTU", out var value, out error);
        mtu = new MtuExtension(value);
        return ok;
    }

    public void Write(Span<byte> destination) => Uint32Layout.Write(destination, Type, Mtu);
}
