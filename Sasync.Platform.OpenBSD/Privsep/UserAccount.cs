using System.Runtime.InteropServices;
using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Platform.OpenBSD.Privsep;

/// <summary>An entry of the password database, from getpwnam(3) / getpwuid(3).</summary>
internal sealed record UserAccount(string Name, uint Uid, uint Gid, string Home)
{
    // struct passwd on amd64: pw_name, pw_passwd, then pw_uid and pw_gid at 16 and 20 on both
    // systems; pw_dir follows pw_gecos on Linux (32) and pw_change, pw_class, pw_gecos on OpenBSD (48).
    private const int UidOffset = 16;
    private const int GidOffset = 20;

    private static int HomeOffset => HostOs.IsOpenBsd ? 48 : 32;

    public static UserAccount? Find(string name) => Read(PrivsepNative.getpwnam(name));

    public static UserAccount? Find(uint uid) => Read(PrivsepNative.getpwuid(uid));

    private static UserAccount? Read(nint entry)
    {
        if (entry == 0)
        {
            return null;
        }

        return new UserAccount(
            Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry)) ?? "",
            (uint)Marshal.ReadInt32(entry, UidOffset),
            (uint)Marshal.ReadInt32(entry, GidOffset),
            Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry, HomeOffset)) ?? "");
    }
}
