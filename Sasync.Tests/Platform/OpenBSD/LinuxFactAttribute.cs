namespace Sasync.Tests.Platform.OpenBSD;

/// <summary>A fact that needs Linux (real FIFOs, Linux open flags and struct stat); skipped elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux";
        }
    }
}
