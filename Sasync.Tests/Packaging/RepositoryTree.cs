namespace Sasync.Tests.Packaging;

/// <summary>The checkout the tests were built from, found by walking up from the test output to Sasync.sln.</summary>
public static class RepositoryTree
{
    private static readonly Lazy<string> RootPath = new(Find);

    public static string Root => RootPath.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sasync.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Sasync.sln above {AppContext.BaseDirectory}");
    }
}
