namespace Sasync.Tests.Config;

/// <summary>A configuration file in a fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempConfigFile : IDisposable
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("sasync-config-").FullName;

    public TempConfigFile(string text, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
        : this(System.Text.Encoding.UTF8.GetBytes(text), mode)
    {
    }

    public TempConfigFile(byte[] bytes, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        Path = System.IO.Path.Combine(_directory, "sasyncd.conf");
        File.WriteAllBytes(Path, bytes);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path, mode);
        }
    }

    public string Path { get; }

    public string Directory => _directory;

    public void Dispose() => System.IO.Directory.Delete(_directory, recursive: true);
}
