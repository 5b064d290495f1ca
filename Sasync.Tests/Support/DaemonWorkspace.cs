using System.Text.Json;
using Sasync.Cli;

namespace Sasync.Tests.Support;

/// <summary>
/// A temporary directory for tests that run daemons as real processes: their configurations (mode 0600, as the
/// file rule wants) and control sockets, and the command line to talk to them. Removed when the test ends.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public abstract class DaemonWorkspace(string prefix) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>A path in the workspace.</summary>
    protected string Path(string name) => System.IO.Path.Combine(_directory, name);

    /// <summary>Writes a configuration readable by its owner only.</summary>
    protected string WriteConfig(string name, string text)
    {
        var path = Path(name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>Runs <c>sasyncd-cs ARGS</c> in this process.</summary>
    protected static async Task<(int Exit, string Out, string Err)> CliAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs <c>sasyncd-cs ARGS</c>, which must succeed, and parses its JSON output.</summary>
    protected static async Task<JsonElement> JsonAsync(params string[] args)
    {
        var (exit, output, error) = await CliAsync(args);
        Assert.True(exit == 0, error);
        return JsonDocument.Parse(output).RootElement;
    }
}
