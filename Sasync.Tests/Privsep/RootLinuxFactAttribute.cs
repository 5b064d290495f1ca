namespace Sasync.Tests.Privsep;

/// <summary>A test that needs root on Linux, with the program where the unprivileged network process can load it.</summary>
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
        else if (UnreachableAncestor(AppContext.BaseDirectory) is { } closed)
        {
            Skip = $"the network process runs as nobody and cannot enter {closed} to load the program: " +
                "run the tests from a checkout others may enter (.ci/run makes its clone so)";
        }
    }

    private static string? UnreachableAncestor(string path)
    {
        for (var directory = new DirectoryInfo(path); directory is not null; directory = directory.Parent)
        {
            if (!directory.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
