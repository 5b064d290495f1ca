using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Sasync.Platform.OpenBSD.Structs;

/// <summary>
/// Where <c>st_mode</c> and <c>st_uid</c> sit in the kernel's <c>struct stat</c>, per OS and CPU:
/// - OpenBSD amd64 (sys/sys/stat.h since 5.5): mode_t st_mode at 0, dev_t 4, ino_t 8, nlink_t 16,
///   uid_t st_uid at 20, ..., 128 bytes (golang ztypes_openbsd_amd64 Stat_t agrees);
/// - Linux x86-64 (glibc): st_dev 0, st_ino 8, st_nlink (8 bytes) 16, st_mode 24, st_uid 28, 144 bytes;
/// - Linux arm64 (asm-generic): st_dev 0, st_ino 8, st_mode 16, st_nlink (4 bytes) 20, st_uid 24, 128 bytes.
/// </summary>
internal sealed record StatLayout(string Name, int Size, int ModeOffset, int UidOffset)
{
    public static readonly StatLayout OpenBsdAmd64 = new("OpenBSD amd64", 128, 0, 20);
    public static readonly StatLayout LinuxX64 = new("Linux x86-64", 144, 24, 28);
    public static readonly StatLayout LinuxArm64 = new("Linux arm64", 128, 16, 24);

    /// <summary>The layout of the running system, or null when we do not know it.</summary>
    public static StatLayout? Current => (HostIsOpenBsd(), OperatingSystem.IsLinux(), RuntimeInformation.OSArchitecture) switch
    {
        (true, _, Architecture.X64) => OpenBsdAmd64,
        (_, true, Architecture.X64) => LinuxX64,
        (_, true, Architecture.Arm64) => LinuxArm64,
        _ => null,
    };

    /// <summary>Reads mode and owner from a buffer filled by stat(2)/fstat(2); false when it is too short.</summary>
    public bool TryRead(ReadOnlySpan<byte> statBuffer, out StatMode mode, out uint ownerUid)
    {
        if (statBuffer.Length < Size)
        {
            mode = default;
            ownerUid = 0;
            return false;
        }

        mode = new StatMode(BinaryPrimitives.ReadUInt32LittleEndian(statBuffer[ModeOffset..]));
        ownerUid = BinaryPrimitives.ReadUInt32LittleEndian(statBuffer[UidOffset..]);
        return true;
    }

    private static bool HostIsOpenBsd() => Native.HostOs.IsOpenBsd;
}

/// <summary>An <c>st_mode</c> value; the S_IF* type bits and permission bits are the same on OpenBSD and Linux.</summary>
internal readonly record struct StatMode(uint Value)
{
    private const uint TypeMask = 0xF000; // S_IFMT 0170000
    private const uint Fifo = 0x1000;      // S_IFIFO 0010000
    private const uint Regular = 0x8000;   // S_IFREG 0100000

    /// <summary>S_IRWXG | S_IRWXO.</summary>
    public const uint GroupAndOtherBits = 0x3F;

    public bool IsFifo => (Value & TypeMask) == Fifo;

    public bool IsRegularFile => (Value & TypeMask) == Regular;

    /// <summary>The permission bits, 0–07777.</summary>
    public uint Permissions => Value & 0xFFF;

    /// <summary>The permission bits as .NET's <see cref="UnixFileMode"/> (same bit values).</summary>
    public UnixFileMode UnixPermissions => (UnixFileMode)Permissions;

    public bool HasGroupOrOtherBits => (Value & GroupAndOtherBits) != 0;
}
