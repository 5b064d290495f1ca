using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Platform.OpenBSD.Privsep;

/// <summary>
/// Names the process for ps(1) and the rc.d script: setproctitle(3) on OpenBSD (the whole title,
/// as <c>ps -o args</c> and <c>pgrep -f</c> see it); on Linux the command name in /proc/self/comm,
/// at most 15 bytes, as <c>ps -o comm</c> and <c>pgrep</c> see it.
/// </summary>
internal static class ProcessTitle
{
    /// <summary>What the privileged process is called; the rc.d script's pexp matches it.</summary>
    public const string Privileged = "sasyncd-cs: [priv]";

    public const string Network = "sasyncd-cs: network";

    /// <summary>The Linux command names (15 bytes at most).</summary>
    public const string PrivilegedCommandName = "sasyncd: [priv]";

    public const string NetworkCommandName = "sasyncd: net";

    /// <summary>Sets the title; false when this system offers no way to.</summary>
    public static bool Set(bool privileged)
    {
        if (HostOs.IsOpenBsd)
        {
            // A leading '-' keeps setproctitle from putting the program name first (that would be
            // "dotnet" when we run through it).
            PrivsepNative.setproctitle("-" + (privileged ? Privileged : Network));
            return true;
        }

        if (HostOs.IsLinux)
        {
            try
            {
                File.WriteAllText("/proc/self/comm", privileged ? PrivilegedCommandName : NetworkCommandName);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        return false;
    }
}
