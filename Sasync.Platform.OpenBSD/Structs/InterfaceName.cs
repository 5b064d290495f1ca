using System.Text;

namespace Sasync.Platform.OpenBSD.Structs;

/// <summary>The <c>char name[IFNAMSIZ]</c> field that starts ifreq and ifgroupreq: at most 15 bytes and a NUL.</summary>
internal static class InterfaceName
{
    /// <summary>IFNAMSIZ = IF_NAMESIZE = 16 (sys/net/if.h).</summary>
    public const int Size = 16;

    /// <summary>Writes the NUL-padded name; false (and a reason) for an empty, too long or NUL-containing name.</summary>
    public static bool TryWrite(Span<byte> destination, string name, out string error)
    {
        destination[..Size].Clear();
        if (string.IsNullOrEmpty(name) || name.Contains('\0', StringComparison.Ordinal))
        {
            error = $"'{name}' is not an interface or group name";
            return false;
        }

        if (Encoding.UTF8.GetByteCount(name) > Size - 1)
        {
            error = $"name '{name}' is longer than {Size - 1} bytes";
            return false;
        }

        Encoding.UTF8.GetBytes(name, destination);
        error = "";
        return true;
    }
}
