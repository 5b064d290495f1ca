using NSubstitute;
using Sasync.Cli;
using Sasync.Core.Config;
using Sasync.Core.Platform;
using Sasync.Tests.Cli;
using Sasync.Tests.Platform.OpenBSD;

namespace Sasync.Tests.Config;

/// <summary>
/// Only a regular file is read as a configuration: a FIFO would block the reader, a device would feed it
/// anything. The timeouts only keep a hang from stalling the suite; nothing here asserts a duration.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ConfigFileTypeTests : IDisposable
{
    private const int HangGuard = 30_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("sasync-type-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Path(string name) => System.IO.Path.Combine(_directory, name);

    private string WriteConfig(string name, string text)
    {
        var path = Path(name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    [LinuxFact]
    public async Task The_portable_inspector_tells_fifos_devices_sockets_and_links_from_regular_files()
    {
        var regular = WriteConfig("regular.conf", ConfigText.Minimal);
        var empty = WriteConfig("empty.conf", "");
        await SpecialFiles.MakeFifoAsync(Path("fifo"));
        using var socket = SpecialFiles.MakeSocketFile(Path("sock"));
        File.CreateSymbolicLink(Path("link-to-fifo"), Path("fifo"));
        File.CreateSymbolicLink(Path("link-to-regular"), regular);
        var inspector = new PortableConfigFileInspector();

        Assert.Equal(
            [true, true, false, false, false, false, true, false],
            new[] { regular, empty, Path("fifo"), Path("sock"), Path("link-to-fifo"), "/dev/null", Path("link-to-regular"), _directory }
                .Select(p => inspector.Inspect(p).IsRegularFile));
        Assert.Null(inspector.Inspect(regular).OwnerUid);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, inspector.Inspect(regular).Mode);
        Assert.ThrowsAny<IOException>(() => inspector.Inspect(Path("missing.conf")));
    }

    [LinuxFact]
    public async Task Without_stat_the_portable_inspector_still_refuses_what_has_no_bytes()
    {
        var regular = WriteConfig("regular.conf", ConfigText.Minimal);
        await SpecialFiles.MakeFifoAsync(Path("fifo"));
        var inspector = new PortableConfigFileInspector(stat: null);

        Assert.True(inspector.Inspect(regular).IsRegularFile);
        Assert.False(inspector.Inspect(Path("fifo")).IsRegularFile);
        Assert.False(inspector.Inspect("/dev/null").IsRegularFile);
        Assert.False(inspector.Inspect(_directory).IsRegularFile);
        Assert.ThrowsAny<IOException>(() => inspector.Inspect(Path("missing.conf")));
    }

    [LinuxFact(Timeout = HangGuard)]
    public async Task Check_dash_n_and_start_refuse_a_fifo_and_a_device_with_exit_1()
    {
        var fifo = Path("fifo.conf");
        await SpecialFiles.MakeFifoAsync(fifo);
        foreach (var path in new[] { fifo, "/dev/null" })
        {
            foreach (var args in new[]
            {
                new[] { "check", "-c", path },
                ["check", "--json", "-c", path],
                ["-n", "-c", path],
                ["-d", "--platform", "sim", "--control", Path("control.sock"), "-c", path],
            })
            {
                var run = await Task.Run(() => CliRun.RunAsync(args));

                Assert.Equal(1, run.ExitCode);
                var expected = args.Contains("--json") ? "\"message\": \"not a regular file\"" : $"{path}: not a regular file\n";
                Assert.Contains(expected, run.Stdout + run.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
                Assert.False(File.Exists(Path("control.sock")));
            }
        }
    }

    [LinuxFact(Timeout = HangGuard)]
    public async Task A_read_that_blocks_despite_the_inspector_is_given_up_after_the_timeout()
    {
        // The race the inspector cannot close: a regular file when examined, a FIFO when opened.
        var fifo = Path("swapped.conf");
        await SpecialFiles.MakeFifoAsync(fifo);
        var inspector = Substitute.For<IConfigFileInspector>();
        inspector.Inspect(fifo).Returns(new ConfigFileFacts(true, null, UnixFileMode.UserRead | UnixFileMode.UserWrite));
        try
        {
            var result = await ConfigFile.LoadAsync(fifo, inspector, ConfigFileCheck.Repository, TimeSpan.FromMilliseconds(200));

            Assert.False(result.IsValid);
            var error = Assert.Single(result.Diagnostics);
            Assert.Equal((0, true), (error.Line, error.IsError));
            Assert.StartsWith("cannot read the file: no data within 0.2 s", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await SpecialFiles.ReleaseFifoReaderAsync(fifo);
        }
    }

    [Fact]
    public async Task Load_async_gives_the_same_result_as_load_for_a_regular_file()
    {
        var path = WriteConfig("ok.conf", ConfigText.Minimal + "peer 192.0.2.2\n");
        var inspector = new PortableConfigFileInspector();

        var result = await ConfigFile.LoadAsync(path, inspector, ConfigFileCheck.Repository);

        Assert.True(result.IsValid, string.Join("\n", result.Diagnostics));
        Assert.Equal(["192.0.2.2"], result.Settings!.Peers.ToArray());
    }

    [Fact]
    public void A_file_just_over_the_limit_is_refused_and_one_at_the_limit_is_read()
    {
        var body = "# padding\n";
        var atLimit = ConfigText.Minimal + new string('#', ConfigFile.MaxBytes - ConfigText.Minimal.Length - body.Length) + body;
        Assert.Equal(ConfigFile.MaxBytes, atLimit.Length);
        var path = WriteConfig("limit.conf", atLimit);
        Assert.True(ConfigFile.Load(path).IsValid);

        var over = WriteConfig("over.conf", atLimit + "\n");
        var error = Assert.Single(ConfigFile.Load(over).Diagnostics);
        Assert.Equal((0, true), (error.Line, error.IsError));
        Assert.Contains($"larger than {ConfigFile.MaxBytes} bytes", error.Message, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void A_device_without_end_is_cut_at_the_limit()
    {
        // /dev/zero never ends: the read stops one byte past the limit.
        var error = Assert.Single(ConfigFile.Load("/dev/zero").Diagnostics);
        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
    }
}
