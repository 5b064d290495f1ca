using NSubstitute;
using Sasync.Cli.Commands;
using Sasync.Core.Config;
using Sasync.Core.Platform;
using Sasync.Tests.Config;

namespace Sasync.Tests.Cli;

public class DaemonCommandTests
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Dash_n_on_the_example_says_configuration_OK_with_only_the_owner_warning()
    {
        // The example as installed: mode 0600 (git cannot keep that, so copy it).
        using var file = new TempConfigFile(await File.ReadAllTextAsync(ExamplePath()));

        var run = await CliRun.RunAsync("-n", "-c", file.Path);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal(
            $"{file.Path}: warning: the owner of the configuration file cannot be checked on this platform (it must be root or _isakmpd)\nconfiguration OK\n",
            run.Stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Dash_n_prints_every_error_as_file_line_column_and_exits_1()
    {
        using var file = new TempConfigFile("interface carp0\nmode boss\nsharedkey 0x123\n");

        var run = await CliRun.RunAsync("-nc", file.Path);

        Assert.Equal(1, run.ExitCode);
        var lines = run.Stderr.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(
            [
                $"{file.Path}: warning: the owner of the configuration file cannot be checked on this platform (it must be root or _isakmpd)",
                $"{file.Path}:2:6: expected master, slave or skipslave after \"mode\", found \"boss\"",
                $"{file.Path}:3:11: the hex key has an odd number of digits (3); each byte takes two",
            ],
            lines);
        Assert.DoesNotContain("configuration OK", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dash_n_refuses_group_or_other_bits()
    {
        using var file = new TempConfigFile(ConfigText.Minimal, Mode0600 | UnixFileMode.GroupRead);

        var run = await CliRun.RunAsync("-n", "-c", file.Path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{file.Path}: the configuration file has mode 0640", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dash_n_applies_the_owner_rule_when_the_platform_knows_the_owner()
    {
        using var file = new TempConfigFile(ConfigText.Minimal);
        var inspector = Substitute.For<IConfigFileInspector>();
        inspector.Inspect(file.Path).Returns(new ConfigFileFacts(true, 1000, Mode0600));

        var run = await CliRun.RunAsync(["-n", "-c", file.Path], "", inspector);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"{file.Path}: the configuration file is owned by uid 1000; it must be owned by root or _isakmpd\n",
            run.Stderr.ReplaceLineEndings("\n"));

        inspector.Inspect(file.Path).Returns(new ConfigFileFacts(true, 68, Mode0600));
        var again = await CliRun.RunAsync(["-n", "-c", file.Path], "", inspector);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal("configuration OK\n", again.Stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Dash_n_on_a_missing_file_fails_at_line_0()
    {
        using var file = new TempConfigFile("");
        var missing = Path.Combine(file.Directory, "missing.conf");

        var run = await CliRun.RunAsync("-n", "-c", missing);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"{missing}: cannot read the file", run.Stderr, StringComparison.Ordinal);
    }

    [Platform.OpenBSD.LinuxFact]
    public async Task Without_dash_n_on_another_system_the_openbsd_platform_points_to_the_simulated_one()
    {
        var run = await CliRun.RunAsync("-d", "-v", "-c", ExamplePath());
        Assert.Equal((1, "sasyncd-cs: the OpenBSD platform needs OpenBSD; on this system run with --platform sim\n"), (run.ExitCode, run.Stderr.ReplaceLineEndings("\n")));
    }

    [Fact]
    public async Task Unknown_flags_print_the_usage_and_exit_1()
    {
        var run = await CliRun.RunAsync("-x");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("sasyncd-cs: unknown option '-x'\nusage: sasyncd-cs [-dnv] [-c config-file]", run.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    internal static string ExamplePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", "sasyncd.conf");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("examples/sasyncd.conf not found above the test directory");
    }
}
