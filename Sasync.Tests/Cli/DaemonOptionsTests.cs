using Sasync.Cli.Commands;

namespace Sasync.Tests.Cli;

public class DaemonOptionsTests
{
    private static DaemonOptions Parse(params string[] args)
    {
        Assert.True(DaemonOptions.TryParse(args, out var options, out var error), error);
        return options;
    }

    [Fact]
    public void No_flags_gives_the_defaults() =>
        Assert.Equal(new DaemonOptions { ConfigPath = "/etc/sasyncd.conf", Foreground = false, CheckOnly = false, Verbosity = 0 }, Parse());

    [Fact]
    public void Each_flag_alone()
    {
        Assert.True(Parse("-d").Foreground);
        Assert.True(Parse("-n").CheckOnly);
        Assert.Equal(1, Parse("-v").Verbosity);
        Assert.Equal("/tmp/x.conf", Parse("-c", "/tmp/x.conf").ConfigPath);
    }

    [Fact]
    public void Privilege_separation_is_the_default_only_for_the_openbsd_platform_on_openbsd_and_can_be_turned_off()
    {
        Assert.True(Parse().UsesPrivsep(onOpenBsd: true));
        Assert.False(Parse("--no-privsep").UsesPrivsep(onOpenBsd: true));
        Assert.False(Parse().UsesPrivsep(onOpenBsd: false));
        Assert.False(Parse("--platform", "sim").UsesPrivsep(onOpenBsd: true));
        Assert.True(Parse("--platform", "sim", "--privsep").UsesPrivsep(onOpenBsd: false));
    }

    [Fact]
    public void Flags_combine_as_with_getopt()
    {
        Assert.Equal(new DaemonOptions { ConfigPath = "a.conf", Foreground = true, CheckOnly = true, Verbosity = 3 }, Parse("-dnvv", "-v", "-ca.conf"));
        Assert.Equal(new DaemonOptions { ConfigPath = "b.conf", Verbosity = 1 }, Parse("-vc", "b.conf"));
        Assert.Equal(new DaemonOptions { ConfigPath = "-n" }, Parse("-c", "-n"));
        Assert.Equal(new DaemonOptions { ConfigPath = "file", Foreground = true, Verbosity = 2 }, Parse("-dvvc", "file"));
        Assert.Equal(new DaemonOptions { Verbosity = 3, ControlPath = "/tmp/s" }, Parse("-vvv", "--control", "/tmp/s"));
        Assert.Equal(new DaemonOptions { CheckOnly = true }, Parse("-n", "--"));
    }

    [Theory]
    [InlineData("unknown option '-x'", "-x")]
    [InlineData("unknown option '-x'", "-dx")]
    [InlineData("unknown option '--foo'", "--foo")]
    [InlineData("option '-c' requires a value", "-c")]
    [InlineData("option '-c' given more than once", "-c", "a", "-c", "b")]
    [InlineData("unexpected argument 'extra'", "-d", "extra")]
    [InlineData("unexpected argument '-'", "-")]
    [InlineData("unexpected argument '-n'", "--", "-n")]
    [InlineData("unknown option '--json'; unexpected argument 'x'", "--json", "x")]
    [InlineData("option '--control' requires a value", "--control")]
    [InlineData("--platform must be openbsd or sim, not 'linux'", "--platform", "linux")]
    [InlineData("--sim-carp must be master, backup or init, not 'up'", "--sim-carp", "up")]
    public void Bad_command_lines_are_refused(string expected, params string[] args)
    {
        Assert.False(DaemonOptions.TryParse(args, out var options, out var error));
        Assert.Null(options);
        Assert.Equal(expected, error);
    }
}
