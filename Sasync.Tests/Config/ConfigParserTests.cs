using Sasync.Core.Config;

namespace Sasync.Tests.Config;

public class ConfigParserTests
{
    private static SyncSettings Valid(string text)
    {
        var result = ConfigParser.Parse(text);
        Assert.True(result.IsValid, string.Join("\n", result.Diagnostics));
        return result.Settings!;
    }

    private static Diagnostic SingleError(string text)
    {
        var result = ConfigParser.Parse(text);
        Assert.False(result.IsValid);
        Assert.Null(result.Settings);
        return Assert.Single(result.Diagnostics, d => d.IsError);
    }

    [Fact]
    public void Minimal_file_gets_the_original_defaults()
    {
        var settings = Valid(ConfigText.Minimal);

        Assert.Equal("carp0", settings.CarpInterface);
        Assert.Equal("carp", settings.CarpGroup);
        Assert.Equal(FlushMode.Startup, settings.FlushMode);
        Assert.Null(settings.Listen.On);
        Assert.Equal(ListenFamily.Any, settings.Listen.Family);
        Assert.Equal(500, settings.Listen.Port);
        Assert.Empty(settings.Peers.ToArray());
        Assert.Equal(256, settings.SharedKey.Bits);
        Assert.Equal(DaemonControlMode.Isakmpd, settings.Control);
        Assert.Equal(RunMode.Auto, settings.Mode);
        Assert.False(settings.SkipSlave);
        Assert.Empty(ConfigParser.Parse(ConfigText.Minimal).Diagnostics);
    }

    [Fact]
    public void Every_keyword_sets_its_setting()
    {
        var settings = Valid($"""
            interface carp1
            group sasync
            flushmode sync
            listen on em0 inet6 port 4500
            mode master
            mode skipslave
            peer 192.0.2.2
            peer peer3.example.org
            peer 2001:db8::3
            sharedkey {ConfigText.Hex128}
            control iked
            """);

        Assert.Equal("carp1", settings.CarpInterface);
        Assert.Equal("sasync", settings.CarpGroup);
        Assert.Equal(FlushMode.Sync, settings.FlushMode);
        Assert.Equal(new ListenSettings { On = "em0", Family = ListenFamily.Inet6, Port = 4500 }, settings.Listen);
        Assert.Equal(RunMode.Master, settings.Mode);
        Assert.True(settings.SkipSlave);
        Assert.Equal(["192.0.2.2", "peer3.example.org", "2001:db8::3"], settings.Peers.ToArray());
        Assert.Equal(128, settings.SharedKey.Bits);
        Assert.Equal(DaemonControlMode.Iked, settings.Control);
    }

    [Theory]
    [InlineData("flushmode sync", FlushMode.Sync)]
    [InlineData("flushmode startup", FlushMode.Startup)]
    [InlineData("flushmode never", FlushMode.Never)]
    public void Flushmode_values(string line, FlushMode expected) =>
        Assert.Equal(expected, Valid(ConfigText.Minimal + line).FlushMode);

    [Theory]
    [InlineData("control isakmpd", DaemonControlMode.Isakmpd)]
    [InlineData("control iked", DaemonControlMode.Iked)]
    [InlineData("control all", DaemonControlMode.All)]
    [InlineData("control none", DaemonControlMode.None)]
    public void Control_values(string line, DaemonControlMode expected) =>
        Assert.Equal(expected, Valid(ConfigText.Minimal + line).Control);

    [Theory]
    [InlineData("mode master", RunMode.Master, false)]
    [InlineData("mode slave", RunMode.Slave, false)]
    [InlineData("mode skipslave", RunMode.Auto, true)]
    [InlineData("mode skipslave mode slave", RunMode.Slave, true)]
    [InlineData("mode slave mode skipslave mode master", RunMode.Master, true)]
    public void Mode_locks_the_state_and_skipslave_is_independent(string line, RunMode mode, bool skipSlave)
    {
        var settings = Valid(ConfigText.Minimal + line);
        Assert.Equal(mode, settings.Mode);
        Assert.Equal(skipSlave, settings.SkipSlave);
    }

    [Theory]
    [InlineData("listen on 192.0.2.1", "192.0.2.1", ListenFamily.Any, 500)]
    [InlineData("listen on 2001:db8::1", "2001:db8::1", ListenFamily.Any, 500)]
    [InlineData("listen on em0 inet", "em0", ListenFamily.Inet, 500)]
    [InlineData("listen on em0 inet6", "em0", ListenFamily.Inet6, 500)]
    [InlineData("listen on gw.example.org port 1", "gw.example.org", ListenFamily.Any, 1)]
    [InlineData("listen on em0 inet port 65535", "em0", ListenFamily.Inet, 65535)]
    [InlineData("listen on em0 port 0600", "em0", ListenFamily.Any, 600)]
    public void Listen_forms(string line, string on, ListenFamily family, int port) =>
        Assert.Equal(new ListenSettings { On = on, Family = family, Port = port }, Valid(ConfigText.Minimal + line).Listen);

    [Fact]
    public void A_later_single_valued_setting_replaces_an_earlier_one()
    {
        var settings = Valid($"""
            interface carp0 interface carp9
            group a group b
            flushmode never flushmode sync
            listen on em0 inet port 600
            listen on 192.0.2.1
            sharedkey {ConfigText.Hex128}
            sharedkey {ConfigText.Hex192}
            control none control all
            """);

        Assert.Equal("carp9", settings.CarpInterface);
        Assert.Equal("b", settings.CarpGroup);
        Assert.Equal(FlushMode.Sync, settings.FlushMode);
        // The whole listen setting is replaced, not merged.
        Assert.Equal(new ListenSettings { On = "192.0.2.1" }, settings.Listen);
        Assert.Equal(192, settings.SharedKey.Bits);
        Assert.Equal(DaemonControlMode.All, settings.Control);
    }

    [Fact]
    public void Duplicate_peers_are_merged_with_a_warning_at_the_duplicate()
    {
        var result = ConfigParser.Parse(ConfigText.Minimal + "peer 192.0.2.2\npeer 192.0.2.3\n  peer 192.0.2.2\n");

        Assert.True(result.IsValid);
        Assert.Equal(["192.0.2.2", "192.0.2.3"], result.Settings!.Peers.ToArray());
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal((5, 8), (warning.Line, warning.Column));
        Assert.Contains("line 3", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_may_share_a_line_and_span_lines()
    {
        var oneLine = Valid($"interface carp0 sharedkey {ConfigText.Hex256} peer 192.0.2.2 listen on em0 port 600 mode slave");
        var spread = Valid($"interface\n\ncarp0\nsharedkey\n\t{ConfigText.Hex256}\npeer\n192.0.2.2 listen\non\nem0\nport\n600\nmode\nslave\n");

        Assert.Equal(oneLine with { SharedKey = spread.SharedKey, Peers = spread.Peers }, spread);
        Assert.Equal(oneLine.Peers.ToArray(), spread.Peers.ToArray());
        Assert.Equal(600, spread.Listen.Port);
    }

    [Theory]
    [InlineData("# a comment line\ninterface carp0 # trailing\n")]
    [InlineData("interface carp0#glued to the word\n")]
    [InlineData("   # indented comment\n      interface carp0\n")]
    [InlineData("#\n#\n\n\ninterface carp0")]
    [InlineData("interface \\\ncarp0\n")]
    [InlineData("interface \\\r\n  carp0\r\n")]
    [InlineData("interface carp0 # a comment ending in a backslash goes on \\\npeer 192.0.2.9\n")]
    public void Comments_and_continuations(string text)
    {
        var settings = Valid(text + $"\nsharedkey {ConfigText.Hex256}");
        Assert.Equal("carp0", settings.CarpInterface);
        // A comment that ends in a backslash also covers the next line, as the manual warns.
        Assert.Empty(settings.Peers.ToArray());
    }

    [Fact]
    public void Trailing_comment_followed_by_an_indented_line_does_not_end_the_file()
    {
        var settings = Valid($"interface carp0 # comment\n    peer 192.0.2.2\n sharedkey {ConfigText.Hex256}");
        Assert.Equal(["192.0.2.2"], settings.Peers.ToArray());
    }

    [Fact]
    public void File_without_final_newline_parses()
    {
        var settings = Valid($"sharedkey {ConfigText.Hex256}\ninterface carp0");
        Assert.Equal("carp0", settings.CarpInterface);
    }

    [Fact]
    public void A_backslash_inside_a_word_is_an_ordinary_character()
    {
        var settings = Valid(ConfigText.Minimal + "group a\\b");
        Assert.Equal("a\\b", settings.CarpGroup);
    }

    [Fact]
    public void Keywords_are_case_sensitive()
    {
        var error = SingleError("Interface carp0\ninterface carp0\nsharedkey " + ConfigText.Hex256);
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Contains("expected a setting", error.Message, StringComparison.Ordinal);
        Assert.Contains("found \"Interface\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    // Unknown word where a setting must start.
    [InlineData("bogus carp0", 1, 1, "expected a setting (channel, control, flushmode, group, interface, listen, mode, peer or sharedkey), found \"bogus\"")]
    [InlineData("  \n\t500", 2, 2, "expected a setting (channel, control, flushmode, group, interface, listen, mode, peer or sharedkey), found \"500\"")]
    // A name is missing, a keyword or a number.
    [InlineData("group", 1, 6, "expected an interface group name after \"group\", found end of file")]
    [InlineData("group port", 1, 7, "expected an interface group name after \"group\", found \"port\"")]
    [InlineData("group 12", 1, 7, "expected an interface group name after \"group\", found \"12\"")]
    [InlineData("group 0x12", 1, 7, "expected an interface group name after \"group\", found \"0x12\"")]
    [InlineData("peer 10", 1, 6, "expected an address or host name after \"peer\", found \"10\"")]
    [InlineData("peer\nmode master", 2, 1, "expected an address or host name after \"peer\", found \"mode\"")]
    // Choices.
    [InlineData("flushmode sometimes", 1, 11, "expected sync, startup or never after \"flushmode\", found \"sometimes\"")]
    [InlineData("mode backup", 1, 6, "expected master, slave or skipslave after \"mode\", found \"backup\"")]
    [InlineData("mode MASTER", 1, 6, "expected master, slave or skipslave after \"mode\", found \"MASTER\"")]
    [InlineData("control racoon", 1, 9, "expected isakmpd, iked, all or none after \"control\", found \"racoon\"")]
    [InlineData("control", 1, 8, "expected isakmpd, iked, all or none after \"control\", found end of file")]
    // listen.
    [InlineData("listen 192.0.2.1", 1, 8, "expected \"on\" after \"listen\", found \"192.0.2.1\"")]
    [InlineData("listen on port 600", 1, 11, "expected an address or interface name after \"on\", found \"port\"")]
    [InlineData("listen on em0 port", 1, 19, "expected a port number after \"port\", found end of file")]
    [InlineData("listen on em0 port www", 1, 20, "expected a port number after \"port\", found \"www\"")]
    [InlineData("listen on em0 port 5x0", 1, 20, "expected a port number after \"port\", found \"5x0\"")]
    [InlineData("listen on em0 port 0", 1, 20, "port \"0\" is out of range; expected 1 to 65535")]
    [InlineData("listen on em0 port 65536", 1, 20, "port \"65536\" is out of range; expected 1 to 65535")]
    [InlineData("listen on em0 port 99999999999999999999", 1, 20, "port \"99999999999999999999\" is out of range; expected 1 to 65535")]
    [InlineData("listen on em0 port 600 inet", 1, 24, "expected a setting (channel, control, flushmode, group, interface, listen, mode, peer or sharedkey), found \"inet\"")]
    public void Each_error_class_names_what_was_expected_and_found_at_its_position(string setting, int line, int column, string message)
    {
        var error = SingleError(ConfigText.Minimal.Replace("\n", " ", StringComparison.Ordinal) + "\n" + setting);

        Assert.Equal(message, error.Message);
        Assert.Equal((line + 1, column), (error.Line, error.Column));
    }

    [Fact]
    public void Missing_required_settings_are_errors_at_the_end_of_the_file()
    {
        var result = ConfigParser.Parse("peer 192.0.2.2\n# end\n");

        Assert.False(result.IsValid);
        Assert.Collection(result.Diagnostics,
            d => Assert.Equal((3, 1, "missing required setting \"interface\""), (d.Line, d.Column, d.Message[..d.Message.IndexOf(" (", StringComparison.Ordinal)])),
            d => Assert.Equal((3, 1, "missing required setting \"sharedkey\""), (d.Line, d.Column, d.Message[..d.Message.IndexOf(" (", StringComparison.Ordinal)])));
    }

    [Fact]
    public void Empty_file_reports_both_required_settings_at_line_1()
    {
        var result = ConfigParser.Parse("");
        Assert.Equal(2, result.Diagnostics.Length);
        Assert.All(result.Diagnostics, d => Assert.Equal((1, 1, DiagnosticSeverity.Error), (d.Line, d.Column, d.Severity)));
    }

    [Fact]
    public void An_invalid_required_setting_is_not_also_reported_missing()
    {
        var result = ConfigParser.Parse("interface 0\nsharedkey 0x00");
        Assert.Equal(2, result.Diagnostics.Length);
        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_error_is_reported_not_only_the_first()
    {
        var result = ConfigParser.Parse("""
            listen on
            peer 12
            interface carp0 flushmode always
            group g garbage here and more garbage
            mode boss
            sharedkey 0xabc
            control nobody
            listen on em0 port 70000
            """);

        Assert.Equal(
            [(2, 1), (2, 6), (3, 27), (4, 9), (5, 6), (6, 11), (7, 9), (8, 20)],
            result.Diagnostics.Select(d => (d.Line, d.Column)));
        Assert.All(result.Diagnostics, d => Assert.True(d.IsError));
    }

    [Fact]
    public void Columns_count_a_tab_as_one_character()
    {
        var error = SingleError(ConfigText.Minimal + "\t\tmode\tboss");
        Assert.Equal((3, 8), (error.Line, error.Column));
    }

    [Fact]
    public void Long_and_control_words_are_shown_escaped_and_cut_short()
    {
        var error = SingleError(ConfigText.Minimal + "mode " + new string('x', 100) + "\u0001");
        Assert.EndsWith("found \"" + new string('x', 40) + "...\"", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 200);

        var control = SingleError(ConfigText.Minimal + "mode a\u0001\"b");
        Assert.EndsWith("found \"a\\u0001\\\"b\"", control.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Result_with_errors_has_no_settings_but_warnings_keep_them()
    {
        Assert.Null(ConfigParser.Parse("interface carp0").Settings);
        var warned = ConfigParser.Parse(ConfigText.Minimal + "peer a peer a");
        Assert.NotNull(warned.Settings);
        Assert.True(warned.HasWarnings);
    }
}
