using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary>
/// The 8-byte extensions that carry one u32 after the <c>sadb_ext</c> header: X_POLICY
/// (<c>sadb_x_policy</c>), X_TAP (<c>sadb_x_tap</c>) and X_MTU (<c>sadb_x_mtu</c>).
/// </summary>
internal static class Uint32Layout
{
    public const int Size = 8;

    public static bool TryRead(PfKeyExtension extension, SadbExtensionType type, string what, out uint value, out PfKeyError error)
    {
        var ok = ExtensionLayout.TryCheckFixed(extension, type, Size, what, out error);
        value = ok ? BinaryPrimitives.ReadUInt32LittleEndian(extension.Span[4..]) : 0;
        return ok;
    }

    public static void Write(Span<byte> destination, SadbExtensionType type, uint value)
    {
        ExtensionLayout.WriteHeader(destination, type, Size);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], value);
    }
}
