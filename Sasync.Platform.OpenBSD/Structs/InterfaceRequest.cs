namespace Sasync.Platform.OpenBSD.Structs;

/// <summary>
/// <c>struct ifreq</c> of OpenBSD amd64 (sys/net/if.h 1.221): the name, then a 16-byte union whose
/// <c>ifr_data</c> pointer at offset 16 is where SIOCGIFDATA copies a <c>struct if_data</c>.
/// </summary>
internal static class InterfaceRequest
{
    public const int Size = 32;
    public const int DataPointerOffset = 16;

    /// <summary>Writes an ifreq naming <paramref name="interfaceName"/>; the native layer fills the pointer.</summary>
    public static bool TryWrite(Span<byte> destination, string interfaceName, out string error)
    {
        destination[..Size].Clear();
        return InterfaceName.TryWrite(destination, interfaceName, out error);
    }
}
