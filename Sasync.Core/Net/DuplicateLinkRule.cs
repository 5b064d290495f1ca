using System.Net;

namespace Sasync.Core.Net;

/// <summary>
/// Which of two sessions with one peer survives. Both ends must agree without talking: when the
/// sessions came up together (each side dialled the other), the one dialled by the lower address
/// wins on both ends. Otherwise the newer one wins, as the original sasyncd does — the older one
/// is most likely a dead session of a peer that restarted.
/// </summary>
public static class DuplicateLinkRule
{
    /// <summary>Sessions that came up closer together than this count as simultaneous.</summary>
    public static readonly TimeSpan SimultaneousWindow = TimeSpan.FromSeconds(2);

    /// <summary>True when the new session should replace the existing one.</summary>
    public static bool NewReplacesExisting(
        IPAddress existingDialler, TimeSpan existingAge, IPAddress newDialler)
    {
        if (existingAge >= SimultaneousWindow || existingDialler.Equals(newDialler))
        {
            return true;
        }

        return Compare(newDialler, existingDialler) < 0;
    }

    private static int Compare(IPAddress a, IPAddress b)
    {
        var x = a.IsIPv4MappedToIPv6 ? a.MapToIPv4().GetAddressBytes() : a.GetAddressBytes();
        var y = b.IsIPv4MappedToIPv6 ? b.MapToIPv4().GetAddressBytes() : b.GetAddressBytes();
        return x.Length != y.Length ? x.Length.CompareTo(y.Length) : x.AsSpan().SequenceCompareTo(y);
    }
}
