using System.Globalization;
using Sasync.Platform.OpenBSD.Privsep;

namespace Sasync.Tests.Privsep;

/// <summary>What /proc says about processes and their TCP sockets.</summary>
internal static class ProcFacts
{
    /// <summary>The pids of every process holding a TCP socket (listening or connected) on 127.0.0.x:<paramref name="port"/> at either end.</summary>
    public static HashSet<int> PidsHoldingTcpPort(int port)
    {
        var portHex = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 9 && (IsLoopbackPort(fields[1], portHex) || IsLoopbackPort(fields[2], portHex)) && fields[9] != "0")
            {
                inodes.Add($"socket:[{fields[9]}]");
            }
        }

        var pids = new HashSet<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(directory, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target))
                    {
                        pids.Add(pid);
                        break;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }

        return pids;
    }

    /// <summary>A field of /proc/PID/status (Uid:, Gid:, Groups:, CapEff:), without its name.</summary>
    public static string Status(int pid, string field) =>
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim();

    public static ulong EffectiveCapabilities(int pid) => LinuxCapabilities.Read($"/proc/{pid}/status", "CapEff:") ?? ulong.MaxValue;

    public static string CommandName(int pid) => File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');

    private static bool IsLoopbackPort(string address, string portHex) =>
        address.Length == 13 && address.EndsWith(portHex, StringComparison.Ordinal) && address[6..8] == "7F";
}
