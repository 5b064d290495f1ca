using Sasync.Core.Platform;

namespace Sasync.Platform.OpenBSD.Structs;

/// <summary><c>struct if_data</c> of OpenBSD amd64 (144 bytes); only the link state is read.</summary>
internal static class InterfaceData
{
    public const int Size = 144;

    /// <summary>u8 ifi_link_state follows ifi_type, ifi_addrlen and ifi_hdrlen.</summary>
    public const int LinkStateOffset = 3;

    public static bool TryReadLinkState(ReadOnlySpan<byte> ifData, out LinkState state)
    {
        if (ifData.Length < Size)
        {
            state = default;
            return false;
        }

        state = (LinkState)ifData[LinkStateOffset];
        return true;
    }
}
