namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_tap</c> (8 bytes): X_TAP, the enc(4) interface unit.</summary>
public readonly record struct TapExtension(uint Unit) : IPfKeyExtensionWriter
{
    public const int Size = Uint32Layout.Size;

    public SadbExtensionType Type => SadbExtensionType.XTap;

    public int ByteLength => Size;

    public static bool TryRead(PfKeyExtension extension, out TapExtension tap, out PfKeyError error)
    {
        var ok = Uint32Layout.TryRead(extension, SadbExtensionType.XTap, "a tap unit", out var value, out error);
        tap = new TapExtension(value);
        return ok;
    }

    public void Write(Span<byte> destination) => Uint32Layout.Write(destination, Type, Unit);
}
