namespace Sasync.Tests.Privsep;

/// <summary>A fact that needs root on Linux (privilege separation drops from root, and the checks read /proc); skipped otherwise.</summary>
public sealed class RootLinuxFactAttribute : FactAttribute
{
    public RootLinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux: the checks read /proc";
        }
        else if (Environment.UserName != "root")
        {
            Skip = "needs root: privilege separation drops from root to an unprivileged user (CI runs as root)";
        }
    }
}
