namespace Sasync.Core.PfKey;

/// <summary>
/// <c>struct sadb_protocol</c> (8 bytes: len, exttype, proto, direction, flags, reserved), shared by
/// the X_PROTOCOL, X_FLOW_TYPE and X_SATYPE2 extensions.
/// </summary>
internal static class ProtocolLayout
{
    public const int Size = 8;

    public static bool TryRead(PfKeyExtension extension, SadbExtensionType type, string what,
        out (byte Proto, byte Direction, byte Flags) fields, out PfKeyError error)
    {
        fields = default;
        if (!ExtensionLayout.TryCheckFixed(extension, type, Size, what, out error))
        {
            return false;
        }

        var span = extension.Span;
        fields = (span[4], span[5], span[6]);
        return true;
    }

    public static void Write(Span<byte> destination, SadbExtensionType type, byte proto, byte direction, byte flags)
    {
        ExtensionLayout.WriteHeader(destination, type, Size);
        destination[4] = proto;
        destination[5] = direction;
        destination[6] = flags;
    }
}
