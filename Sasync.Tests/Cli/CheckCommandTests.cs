using System.Text.Json;
using Sasync.Tests.Config;

namespace Sasync.Tests.Cli;

public class CheckCommandTests
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Json_on_the_example_prints_the_effective_settings()
    {
        using var file = new TempConfigFile(await File.ReadAllTextAsync(DaemonCommandTests.ExamplePath()));

        var run = await CliRun.RunAsync("check", "--json", "-c", file.Path);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("valid").GetBoolean());
        Assert.Equal(0, root.GetProperty("diagnostics").GetArrayLength());
        Assert.Equal(
            """{"interface":"carp0","group":"carp","listen":{"on":"192.0.2.1","family":"any","port":500},"peers":["192.0.2.2"],"sharedKeyBits":256,"flushMode":"startup","control":"isakmpd","mode":"auto","skipSlave":false,"channel":"prefer"}""",
            JsonSerializer.Serialize(root.GetProperty("settings")));
    }

    [Fact]
    public async Task Json_shows_every_setting_and_never_the_key()
    {
        using var file = new TempConfigFile($"""
            interface carp1 group g flushmode never control all mode slave mode skipslave
            listen on em0 inet6 port 4500 peer a peer b peer a
            sharedkey {ConfigText.Ascii192}
            """);

        var run = await CliRun.RunAsync("check", "-c", file.Path, "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain(ConfigText.Ascii192, run.Stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal(
            """{"interface":"carp1","group":"g","listen":{"on":"em0","family":"inet6","port":4500},"peers":["a","b"],"sharedKeyBits":192,"flushMode":"never","control":"all","mode":"slave","skipSlave":true,"channel":"prefer"}""",
            JsonSerializer.Serialize(json.RootElement.GetProperty("settings")));
        var warning = Assert.Single(json.RootElement.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal((2, 50, "warning"), (warning.GetProperty("line").GetInt32(), warning.GetProperty("column").GetInt32(), warning.GetProperty("severity").GetString()));
    }

    [Fact]
    public async Task The_channel_keyword_shows_in_the_settings_with_a_warning_that_the_original_refuses_it()
    {
        using var file = new TempConfigFile($"""
            interface carp0
            channel require
            sharedkey {ConfigText.Ascii192}
            """);

        var run = await CliRun.RunAsync("check", "-c", file.Path, "--json");
        var strict = await CliRun.RunAsync("check", "-c", file.Path, "--strict");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal("require", json.RootElement.GetProperty("settings").GetProperty("channel").GetString());
        var warning = Assert.Single(json.RootElement.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal((2, "warning"), (warning.GetProperty("line").GetInt32(), warning.GetProperty("severity").GetString()));
        Assert.Contains("OpenBSD's sasyncd refuses", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, strict.ExitCode);
    }

    [Fact]
    public async Task Json_for_an_invalid_file_lists_the_diagnostics_and_no_settings()
    {
        using var file = new TempConfigFile($"interface carp0\nsharedkey {ConfigText.Hex128[..^1]}\nlisten on em0 port 0\n");

        var run = await CliRun.RunAsync("check", "--json", "-c", file.Path);

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal(["valid", "diagnostics"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(
            [(2, 11, "error"), (3, 20, "error")],
            json.RootElement.GetProperty("diagnostics").EnumerateArray()
                .Select(d => (d.GetProperty("line").GetInt32(), d.GetProperty("column").GetInt32(), d.GetProperty("severity").GetString())));
        Assert.DoesNotContain(ConfigText.Hex128[2..^1], run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_for_an_unreadable_file_is_invalid_at_line_0()
    {
        using var file = new TempConfigFile("");

        var run = await CliRun.RunAsync("check", "--json", "-c", Path.Combine(file.Directory, "none.conf"));

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var diagnostic = Assert.Single(json.RootElement.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal(0, diagnostic.GetProperty("line").GetInt32());
        Assert.Equal("error", diagnostic.GetProperty("severity").GetString());
    }

    [Fact]
    public async Task Without_check_mode_a_file_as_git_checks_it_out_passes_even_strict()
    {
        using var file = new TempConfigFile(ConfigText.Minimal, Mode0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var run = await CliRun.RunAsync("check", "--strict", "-c", file.Path);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("configuration OK\n", run.Stdout.ReplaceLineEndings("\n"));
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Check_mode_makes_bad_mode_bits_a_warning_that_strict_turns_into_a_failure()
    {
        using var file = new TempConfigFile(ConfigText.Minimal, Mode0600 | UnixFileMode.OtherRead);

        var relaxed = await CliRun.RunAsync("check", "--check-mode", "-c", file.Path);
        Assert.Equal(0, relaxed.ExitCode);
        Assert.Equal("configuration OK\n", relaxed.Stdout.ReplaceLineEndings("\n"));
        Assert.StartsWith($"{file.Path}: warning: the configuration file has mode 0604", relaxed.Stderr, StringComparison.Ordinal);

        var strict = await CliRun.RunAsync("check", "--strict", "--check-mode", "--json", "-c", file.Path);
        Assert.Equal(1, strict.ExitCode);
        using var json = JsonDocument.Parse(strict.Stdout);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.False(json.RootElement.TryGetProperty("settings", out _));
        Assert.Equal("warning", Assert.Single(json.RootElement.GetProperty("diagnostics").EnumerateArray()).GetProperty("severity").GetString());
    }

    [Fact]
    public async Task Text_output_lists_errors_on_stderr_and_exits_1()
    {
        using var file = new TempConfigFile("interface carp0\ncontrol racoon\n");

        var run = await CliRun.RunAsync("check", "-c", file.Path);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal(
            $"{file.Path}:2:9: expected isakmpd, iked, all or none after \"control\", found \"racoon\"\n" +
            $"{file.Path}:3:1: missing required setting \"sharedkey\" (16, 24 or 32 bytes, e.g. 0x followed by 64 hex digits)\n",
            run.Stderr.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("--yaml", "unknown option '--yaml'")]
    [InlineData("-c", "option '-c' requires a value")]
    [InlineData("-n", "unknown option '-n'")]
    public async Task Unknown_arguments_are_named_and_exit_1(string arg, string message)
    {
        var run = await CliRun.RunAsync("check", arg);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal($"sasyncd-cs check: {message}\nrun 'sasyncd-cs check --help' for its options\n", run.Stderr.ReplaceLineEndings("\n"));
    }
}
