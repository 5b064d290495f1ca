using Sasync.Core.Config;

namespace Sasync.Tests.Config;

public class ConfigFileRuleTests
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Theory]
    [InlineData(0)]
    [InlineData(68)]
    public void Root_or_isakmpd_owning_a_private_regular_file_passes(int uid) =>
        Assert.Empty(ConfigFileRule.Check(new ConfigFileFacts(true, uid, Mode0600), ConfigFileCheck.Daemon));

    [Fact]
    public void Owner_read_only_passes() =>
        Assert.Empty(ConfigFileRule.Check(new ConfigFileFacts(true, 0, UnixFileMode.UserRead), ConfigFileCheck.Daemon));

    [Fact]
    public void Another_owner_is_an_error_for_the_daemon_and_ignored_by_check()
    {
        var facts = new ConfigFileFacts(true, 1000, Mode0600);
        var error = Assert.Single(ConfigFileRule.Check(facts, ConfigFileCheck.Daemon));
        Assert.Equal("the configuration file is owned by uid 1000; it must be owned by root or _isakmpd", error.Message);
        Assert.True(error.IsError);
        Assert.Empty(ConfigFileRule.Check(facts, ConfigFileCheck.Repository));
    }

    [Fact]
    public void A_platform_specific_isakmpd_uid_is_honoured() =>
        Assert.Empty(ConfigFileRule.Check(new ConfigFileFacts(true, 500, Mode0600), ConfigFileCheck.Daemon, isakmpdUid: 500));

    [Fact]
    public void An_unknown_owner_is_a_warning_for_the_daemon()
    {
        var warning = Assert.Single(ConfigFileRule.Check(new ConfigFileFacts(true, null, Mode0600), ConfigFileCheck.Daemon));
        Assert.Equal((0, DiagnosticSeverity.Warning), (warning.Line, warning.Severity));
        Assert.Contains("cannot be checked", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.GroupWrite, "0620")]
    [InlineData(UnixFileMode.GroupExecute, "0610")]
    [InlineData(UnixFileMode.OtherRead, "0604")]
    [InlineData(UnixFileMode.OtherWrite, "0602")]
    [InlineData(UnixFileMode.OtherExecute, "0601")]
    public void Any_group_or_other_bit_is_an_error_for_the_daemon_and_a_warning_for_check(UnixFileMode extra, string octal)
    {
        var facts = new ConfigFileFacts(true, 0, Mode0600 | extra);

        var error = Assert.Single(ConfigFileRule.Check(facts, ConfigFileCheck.Daemon));
        Assert.True(error.IsError);
        Assert.Contains($"mode {octal}", error.Message, StringComparison.Ordinal);

        var warning = Assert.Single(ConfigFileRule.Check(facts, ConfigFileCheck.Repository));
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains($"mode {octal}", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_id_and_sticky_bits_are_not_group_or_other_bits() =>
        Assert.Empty(ConfigFileRule.Check(new ConfigFileFacts(true, 0, Mode0600 | UnixFileMode.SetUser | UnixFileMode.StickyBit), ConfigFileCheck.Daemon));

    [Fact]
    public void Not_a_regular_file_is_the_one_error_in_both_modes()
    {
        foreach (var check in new[] { ConfigFileCheck.Daemon, ConfigFileCheck.Repository })
        {
            // Owner and mode of a FIFO or device say nothing about a configuration, so they are not reported.
            var error = Assert.Single(ConfigFileRule.Check(new ConfigFileFacts(false, 7, Mode0600 | UnixFileMode.OtherRead), check));
            Assert.Equal((0, true, "not a regular file"), (error.Line, error.IsError, error.Message));
            Assert.Equal("/etc/sasyncd.conf: not a regular file", error.Format("/etc/sasyncd.conf"));
        }
    }

    [Fact]
    public void Every_breach_is_reported()
    {
        var found = ConfigFileRule.Check(new ConfigFileFacts(true, 7, Mode0600 | UnixFileMode.OtherRead), ConfigFileCheck.Daemon);
        Assert.Equal(2, found.Length);
        Assert.All(found, d => Assert.Equal((0, true), (d.Line, d.IsError)));
    }
}
