using System.Reflection;
using System.Runtime.InteropServices;

namespace Sasync.Tests.Packaging;

/// <summary>
/// The NativeAOT <c>sasyncd-cs</c> of this checkout: the file <c>SASYNC_AOT_BINARY</c> names (.ci/run publishes it once
/// before the tests), else published here on first use into the test output folder and kept there for the next run
/// while the build it was published from is the same (the sasyncd-cs.dll beside the tests, by its module id).
/// </summary>
public static class NativeAotBinary
{
    public const string Variable = "SASYNC_AOT_BINARY";

    // A publish on a busy 2-core machine took 6.5 minutes; that is the cost of running without .ci/run's copy.
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(20);
    private static readonly Lazy<Task<string>> Binary = new(FindOrPublishAsync);

    public static Task<string> PathAsync() => Binary.Value;

    /// <summary>NativeAOT is published for linux-x64 here; elsewhere the tests that need it are skipped.</summary>
    public static bool CanPublish => OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64;

    private static async Task<string> FindOrPublishAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            Assert.True(File.Exists(given), $"{Variable}={given}: no such file");
            return given;
        }

        var directory = Path.Combine(AppContext.BaseDirectory, "aot-publish");
        var binary = Path.Combine(directory, "sasyncd-cs");
        var stamp = Path.Combine(directory, "built-from");
        var build = typeof(Sasync.Cli.Program).Assembly.ManifestModule.ModuleVersionId.ToString();
        await using var checkoutLock = await CheckoutLock.TakeAsync(PublishLimit);
        if (File.Exists(binary) && File.Exists(stamp) && await File.ReadAllTextAsync(stamp) == build)
        {
            return binary;
        }

        var configuration = typeof(NativeAotBinary).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath!;
        var publish = await ProcessRun.RunAsync(
            dotnet,
            ["publish", RepositoryTree.PathOf("Sasync.Cli", "Sasync.Cli.csproj"), "-c", configuration, "-r", "linux-x64", "-p:PublishAot=true", "-nodeReuse:false", "-o", directory],
            PublishLimit,
            new Dictionary<string, string?>
            {
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",
                ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
                ["MSBUILDDISABLENODEREUSE"] = "1",
                ["UseSharedCompilation"] = "false",
            });
        Assert.True(publish.ExitCode == 0, publish.Output);
        Assert.True(File.Exists(binary), $"dotnet publish made no {binary}\n{publish.Output}");
        await File.WriteAllTextAsync(stamp, build);
        return binary;
    }
}

/// <summary>A fact that needs the NativeAOT binary; skipped where it is not published (other than linux-x64).</summary>
public sealed class NativeAotFactAttribute : FactAttribute
{
    public NativeAotFactAttribute()
    {
        if (!NativeAotBinary.CanPublish && Environment.GetEnvironmentVariable(NativeAotBinary.Variable) is not { Length: > 0 })
        {
            Skip = "NativeAOT is published for linux-x64 only (or set SASYNC_AOT_BINARY)";
        }
    }
}
