using System.Text;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using Sasync.Core.Config;
using Sasync.Core.Platform;

namespace Sasync.Tests.Config;

public class ConfigFileTests
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void Loads_and_parses_a_file()
    {
        using var file = new TempConfigFile(ConfigText.Minimal + "peer 192.0.2.2\n");
        var result = ConfigFile.Load(file.Path);
        Assert.True(result.IsValid);
        Assert.Equal(["192.0.2.2"], result.Settings!.Peers.ToArray());
    }

    [Fact]
    public void A_missing_file_is_an_error_at_line_0()
    {
        using var file = new TempConfigFile("");
        var result = ConfigFile.Load(Path.Combine(file.Directory, "absent.conf"));
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal((0, 0, DiagnosticSeverity.Error), (error.Line, error.Column, error.Severity));
        Assert.StartsWith("cannot read the file", error.Message, StringComparison.Ordinal);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void A_directory_is_an_error_at_line_0()
    {
        using var file = new TempConfigFile("");
        var error = Assert.Single(ConfigFile.Load(file.Directory).Diagnostics);
        Assert.Equal(0, error.Line);
        Assert.True(error.IsError);
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_without_parsing()
    {
        using var file = new TempConfigFile(new string('#', ConfigFile.MaxBytes + 1));
        var error = Assert.Single(ConfigFile.Load(file.Path).Diagnostics);
        Assert.Equal(0, error.Line);
        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_an_error_at_its_position_and_a_byte_order_mark_is_ignored()
    {
        var bytes = Encoding.UTF8.GetBytes("interface carp0\npeer a\u00e9").Concat(new byte[] { 0xff }).ToArray();
        using var bad = new TempConfigFile(bytes);
        var error = Assert.Single(ConfigFile.Load(bad.Path).Diagnostics);
        Assert.Equal((2, 8, "byte 0xff is not valid UTF-8"), (error.Line, error.Column, error.Message));

        using var bom = new TempConfigFile(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(ConfigText.Minimal)).ToArray());
        Assert.True(ConfigFile.Load(bom.Path).IsValid);
    }

    [Fact]
    public void A_non_ascii_key_is_its_utf8_bytes()
    {
        const string Key = "clé-de-seize-oc"; // 15 characters, 16 bytes
        using var file = new TempConfigFile($"interface carp0 sharedkey {Key}");
        var settings = ConfigFile.Load(file.Path).Settings!;
        Assert.Equal(Encoding.UTF8.GetBytes(Key), settings.SharedKey.Bytes.ToArray());
    }

    [Fact]
    public void Daemon_check_adds_the_file_rule_and_keeps_parse_errors()
    {
        using var file = new TempConfigFile("interface carp0\nmode boss\n");
        var inspector = Substitute.For<IConfigFileInspector>();
        inspector.Inspect(file.Path).Returns(new ConfigFileFacts(true, 1000, Mode0600 | UnixFileMode.OtherRead));

        var result = ConfigFile.Load(file.Path, inspector, ConfigFileCheck.Daemon);

        Assert.False(result.IsValid);
        Assert.Equal(
            [(0, true), (0, true), (2, true), (3, true)],
            result.Diagnostics.Select(d => (d.Line, d.IsError)));
        Assert.Contains("uid 1000", result.Diagnostics[0].Message + result.Diagnostics[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Repository_check_turns_mode_bits_into_a_warning_and_ignores_the_owner()
    {
        using var file = new TempConfigFile(ConfigText.Minimal);
        var inspector = Substitute.For<IConfigFileInspector>();
        inspector.Inspect(file.Path).Returns(new ConfigFileFacts(true, 1000, Mode0600 | UnixFileMode.GroupRead));

        var result = ConfigFile.Load(file.Path, inspector, ConfigFileCheck.Repository);

        Assert.True(result.IsValid);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((0, DiagnosticSeverity.Warning), (warning.Line, warning.Severity));
        Assert.Contains("0640", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_regular_is_not_read()
    {
        var inspector = Substitute.For<IConfigFileInspector>();
        inspector.Inspect("/a/fifo").Returns(new ConfigFileFacts(false, 0, Mode0600));

        var result = ConfigFile.Load("/a/fifo", inspector, ConfigFileCheck.Repository);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal((0, true, "not a regular file"), (error.Line, error.IsError, error.Message));
    }

    [Fact]
    public void An_inspector_failure_is_an_error_at_line_0()
    {
        var inspector = Substitute.For<IConfigFileInspector>();
        inspector.Inspect(Arg.Any<string>()).Throws(new FileNotFoundException("no such file"));

        var error = Assert.Single(ConfigFile.Load("/etc/none.conf", inspector, ConfigFileCheck.Daemon).Diagnostics);
        Assert.Equal((0, "cannot read the file: no such file"), (error.Line, error.Message));
    }
}
