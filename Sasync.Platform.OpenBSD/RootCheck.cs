using Sasync.Platform.OpenBSD.Native;

namespace Sasync.Platform.OpenBSD;

/// <summary>The daemon needs root (PF_KEY, SIOCSIFGATTR, the isakmpd FIFO); checked with geteuid(2).</summary>
public static class RootCheck
{
    /// <summary>The original's wording.</summary>
    public const string Message = "This daemon needs to be run as root.";

    /// <summary>Null when running as root, otherwise the message to print before exiting with 1.</summary>
    internal static string? Check(INativeCalls native)
    {
        ArgumentNullException.ThrowIfNull(native);
        return native.GetEffectiveUserId() == 0 ? null : Message;
    }

    /// <summary>Null when this process runs as root (effective uid 0), otherwise <see cref="Message"/>.</summary>
    public static string? Check() => Check(LibcNative.Instance);
}
