using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Platform.OpenBSD.Privsep;

/// <summary>
/// Makes the network process unprivileged, once and for good, as the original's child does, and
/// throws <see cref="PrivilegeDropException"/> when any step fails (the caller then exits): it never
/// runs half-separated. In this order, as OpenBSD's privilege-separated daemons do:
/// <list type="number">
/// <item>the working directory becomes the user's home when it is a directory (<c>/var/empty</c> for
/// <c>_isakmpd</c>), else <c>/var/empty</c>, else <c>/</c>: no relative path reaches the daemon's files;</item>
/// <item>setgroups(0), setresgid and setresuid to the user: no supplementary group, and on Linux no
/// capability left (a process whose uids all leave 0 loses them); verified afterwards, including that
/// uid 0 cannot be taken back;</item>
/// <item>Linux: PR_SET_NO_NEW_PRIVS (no exec can gain privileges: setuid binaries, file capabilities)
/// and PR_SET_DUMPABLE 0 (other processes of the same user cannot ptrace it or read its memory, where
/// the shared key is);</item>
/// <item>OpenBSD, last, since pledge(2) without "id" would kill the process at setresuid: first what the runtime
/// would otherwise load later, behind the restrictions (<see cref="OpenBsdRestrictions.LoadLazyParts"/>), then
/// unveil(2) and pledge(2) (<see cref="OpenBsdRestrictions"/>). A chroot, as the original does, is not possible: the
/// runtime loads code from its directories after start.</item>
/// </list>
/// </summary>
internal static class PrivilegeDrop
{
    /// <summary>The user on OpenBSD, as the original (isakmpd's).</summary>
    public const string OpenBsdUser = "_isakmpd";

    public const string LinuxUser = "nobody";

    public static string DefaultUser => HostOs.IsOpenBsd ? OpenBsdUser : LinuxUser;

    /// <summary>Drops to <paramref name="user"/>; returns what was done, for the log.</summary>
    public static unsafe string Drop(string user)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        var account = UserAccount.Find(user) ?? throw new PrivilegeDropException($"no user {user}");
        if (account.Uid == 0)
        {
            throw new PrivilegeDropException($"user {user} is root");
        }

        var directory = new[] { account.Home, "/var/empty", "/" }.First(d => d.Length > 0 && Directory.Exists(d));
        Check(PrivsepNative.chdir(directory), $"chdir {directory}");
        Check(PrivsepNative.setgroups(0, null), "setgroups");
        Check(PrivsepNative.setresgid(account.Gid, account.Gid, account.Gid), "setresgid");
        Check(PrivsepNative.setresuid(account.Uid, account.Uid, account.Uid), "setresuid");
        if (PrivsepNative.getuid() != account.Uid || PrivsepNative.geteuid() != account.Uid
            || PrivsepNative.getgid() != account.Gid || PrivsepNative.getegid() != account.Gid)
        {
            throw new PrivilegeDropException("the user and group ids did not change");
        }

        if (PrivsepNative.getgroups(0, null) != 0)
        {
            throw new PrivilegeDropException("supplementary groups are left");
        }

        if (PrivsepNative.setresuid(0, 0, 0) == 0)
        {
            throw new PrivilegeDropException("uid 0 could be taken back");
        }

        if (HostOs.IsLinux)
        {
            Check(PrivsepNative.prctl(PrivsepNative.PrSetNoNewPrivs, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");
            Check(PrivsepNative.prctl(PrivsepNative.PrSetDumpable, 0, 0, 0, 0), "prctl(PR_SET_DUMPABLE)");
            if (LinuxCapabilities.Effective() is { } effective and not 0)
            {
                throw new PrivilegeDropException($"capabilities are left: CapEff {effective:x16}");
            }
        }

        if (HostOs.IsOpenBsd)
        {
            OpenBsdRestrictions.LoadLazyParts();
            OpenBsdRestrictions.Apply();
        }

        return $"now {user} (uid {account.Uid}, gid {account.Gid}, no supplementary groups) in {directory}" +
            (HostOs.IsLinux ? ", no capabilities, no_new_privs, not dumpable" : HostOs.IsOpenBsd ? ", unveiled and pledged" : "");
    }

    internal static void Check(int result, string what)
    {
        if (result < 0)
        {
            throw new PrivilegeDropException($"{what}: {PrivsepNative.Error()}");
        }
    }
}

/// <summary>The network process could not become unprivileged; it must not go on.</summary>
internal sealed class PrivilegeDropException : Exception
{
    public PrivilegeDropException() { }

    public PrivilegeDropException(string message) : base(message) { }

    public PrivilegeDropException(string message, Exception innerException) : base(message, innerException) { }
}
