using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;

namespace Sasync.Tests.Packaging;

/// <summary>
/// `dotnet pack` of the solution as built for this test run, into a temporary local feed: each
/// package carries the license, its README and the dll (the symbols package the pdb), the metadata
/// an engineer checks, and the tool installs from the feed and runs.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NuGetPackageTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);
    private readonly string _directory = Directory.CreateTempSubdirectory("sasync-pack-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Temp(string name) => Path.Combine(_directory, name);

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath!;

    /// <summary>No MSBuild or compiler server may outlive the test, and nothing may come from a cache another run filled.</summary>
    private Dictionary<string, string?> Environment_() => new()
    {
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["UseSharedCompilation"] = "false",
        ["NUGET_PACKAGES"] = Temp("packages"),
    };

    [Fact]
    public async Task The_packages_hold_license_readme_dll_and_symbols_and_the_tool_installs_and_runs()
    {
        var configuration = typeof(NuGetPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var version = typeof(Core.Config.ConfigParser).Assembly.GetName().Version!.ToString(3);
        var feed = Temp("feed");

        // dotnet pack writes into the checkout's obj/ and the tool's publish folder: one run at a time per checkout.
        await using var checkoutLock = await CheckoutLock.TakeAsync(Limit);
        var pack = await ProcessRun.RunAsync(
            Dotnet,
            ["pack", RepositoryTree.PathOf("Sasync.sln"), "-c", configuration, "--no-build", "-nodeReuse:false", "-o", feed],
            Limit,
            Environment_());
        Assert.True(pack.ExitCode == 0, pack.Output);

        Assert.Equal(
            new[] { "Sasync.Core", "Sasync.Platform.OpenBSD", "sasyncd-cs" }.SelectMany(id => new[] { $"{id}.{version}.nupkg", $"{id}.{version}.snupkg" }).Order(StringComparer.Ordinal),
            Directory.EnumerateFiles(feed).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        CheckLibrary(feed, "Sasync.Core", version);
        CheckLibrary(feed, "Sasync.Platform.OpenBSD", version);
        CheckTool(feed, version);

        await File.WriteAllTextAsync(Temp("nuget.config"), "<configuration><packageSources><clear /></packageSources></configuration>\n");
        var tools = Temp("tools");
        var install = await ProcessRun.RunAsync(
            Dotnet,
            ["tool", "install", "--tool-path", tools, "--configfile", Temp("nuget.config"), "--add-source", feed, "--version", version, "sasyncd-cs"],
            Limit,
            Environment_(),
            workingDirectory: _directory);
        Assert.True(install.ExitCode == 0, install.Output);

        var check = await ProcessRun.RunAsync(Path.Combine(tools, "sasyncd-cs"), ["check", "-c", RepositoryTree.PathOf("examples", "sasyncd.conf")], Limit, Environment_());
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains("configuration OK", check.Stdout);

        await AConsumerFromTheFeedEmbedsANodeAsync(feed, version);
    }

    /// <summary>
    /// The embedding sample built as a stranger would: its own project outside the tree, Sasync.Core by PackageReference
    /// from the feed (the Microsoft.Extensions packages from the packages folder this build restored into), then run.
    /// </summary>
    private async Task AConsumerFromTheFeedEmbedsANodeAsync(string feed, string version)
    {
        var project = Directory.CreateDirectory(Temp("consumer")).FullName;
        File.Copy(RepositoryTree.PathOf("examples", "EmbeddedNode", "Program.cs"), Path.Combine(project, "Program.cs"));
        await File.WriteAllTextAsync(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Sasync.Core" Version="{version}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />
              </ItemGroup>
            </Project>
            """);
        var restored = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(Path.Combine(project, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="feed" value="{feed}" />
                <add key="restored" value="{restored}" />
              </packageSources>
            </configuration>
            """);
        var build = await ProcessRun.RunAsync(Dotnet, ["build", project, "-c", "Release", "-nodeReuse:false", "-o", Path.Combine(project, "out")], Limit, Environment_(), workingDirectory: project);
        Assert.True(build.ExitCode == 0, build.Output);

        var run = await ProcessRun.RunAsync(Dotnet, [Path.Combine(project, "out", "Consumer.dll")], Limit, Environment_(), workingDirectory: project);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("runState MASTER, demoted False, SAs in the kernel 1", run.Stdout);
    }

    private static void CheckLibrary(string feed, string id, string version)
    {
        using var package = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{version}.nupkg"));
        var nuspec = Nuspec(package, id);
        CheckCommon(package, nuspec, id, version);
        Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.dll"));
        // XML documentation ships whenever the build makes it (GenerateDocumentationFile in packaging/nuget/Package.props).
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, $"{id}.xml")))
        {
            Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.xml"));
        }

        using var symbols = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{version}.snupkg"));
        Assert.NotNull(symbols.GetEntry($"lib/net10.0/{id}.pdb"));
        Assert.Equal("SymbolsPackage", Elements(Nuspec(symbols, id), "packageType").Single().Attribute("name")!.Value);
    }

    private static void CheckTool(string feed, string version)
    {
        using var package = ZipFile.OpenRead(Path.Combine(feed, $"sasyncd-cs.{version}.nupkg"));
        var nuspec = Nuspec(package, "sasyncd-cs");
        CheckCommon(package, nuspec, "sasyncd-cs", version);
        Assert.Equal("DotnetTool", Elements(nuspec, "packageType").Single().Attribute("name")!.Value);
        Assert.NotNull(package.GetEntry("tools/net10.0/any/sasyncd-cs.dll"));
        Assert.NotNull(package.GetEntry("tools/net10.0/any/Sasync.Core.dll"));

        using var settings = package.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open();
        var command = XDocument.Load(settings).Descendants("Command").Single();
        Assert.Equal("sasyncd-cs", command.Attribute("Name")!.Value);
        Assert.Equal("sasyncd-cs.dll", command.Attribute("EntryPoint")!.Value);

        using var runtimeConfig = package.GetEntry("tools/net10.0/any/sasyncd-cs.runtimeconfig.json")!.Open();
        using var json = System.Text.Json.JsonDocument.Parse(runtimeConfig);
        Assert.Equal("Major", json.RootElement.GetProperty("runtimeOptions").GetProperty("rollForward").GetString());

        using var symbols = ZipFile.OpenRead(Path.Combine(feed, $"sasyncd-cs.{version}.snupkg"));
        Assert.NotNull(symbols.GetEntry("tools/net10.0/any/sasyncd-cs.pdb"));
    }

    private static void CheckCommon(ZipArchive package, XDocument nuspec, string id, string version)
    {
        string Field(string name) => Elements(nuspec, name).Single().Value;

        Assert.Equal(id, Field("id"));
        Assert.Equal(version, Field("version"));
        Assert.Equal("the sasyncd-cs developers", Field("authors"));
        Assert.Equal("ISC", Field("license"));
        Assert.Equal("expression", Elements(nuspec, "license").Single().Attribute("type")!.Value);
        Assert.Equal("README.md", Field("readme"));
        Assert.Contains("sasyncd", Field("tags"), StringComparison.Ordinal);
        Assert.True(Field("description").Length > 40, Field("description"));
        Assert.Contains("the sasyncd-cs developers", Field("copyright"), StringComparison.Ordinal);

        Assert.Equal(File.ReadAllText(RepositoryTree.PathOf("LICENSE")), Read(package, "LICENSE"));
        var readme = Read(package, "README.md");
        Assert.Equal(File.ReadAllText(RepositoryTree.PathOf("packaging", "nuget", id == "sasyncd-cs" ? "Sasync.Cli" : id, "README.md")), readme);
    }

    private static XDocument Nuspec(ZipArchive package, string id)
    {
        using var stream = package.GetEntry($"{id}.nuspec")!.Open();
        return XDocument.Load(stream);
    }

    /// <summary>Elements by local name: the nuspec namespace differs between library and tool packages.</summary>
    private static IEnumerable<XElement> Elements(XDocument nuspec, string local) => nuspec.Descendants().Where(e => e.Name.LocalName == local);

    private static string Read(ZipArchive package, string entry)
    {
        using var reader = new StreamReader(package.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }
}
