using System.Globalization;

namespace Sasync.Platform.OpenBSD.Privsep;

/// <summary>The capability sets of a Linux process, from /proc/PID/status.</summary>
internal static class LinuxCapabilities
{
    /// <summary>CapEff of this process; null when /proc does not say.</summary>
    public static ulong? Effective() => Read("/proc/self/status", "CapEff:");

    /// <summary>A hex field of a /proc status file (CapEff:, CapPrm:, …); null when absent.</summary>
    public static ulong? Read(string statusPath, string field)
    {
        foreach (var line in File.ReadLines(statusPath))
        {
            if (line.StartsWith(field, StringComparison.Ordinal)
                && ulong.TryParse(line.AsSpan(field.Length).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }
}
