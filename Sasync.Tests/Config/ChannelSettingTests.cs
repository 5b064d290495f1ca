using Sasync.Core.Config;

namespace Sasync.Tests.Config;

/// <summary><c>channel legacy|prefer|require</c>: sasyncd-cs's own keyword, with a warning that the original refuses it.</summary>
public class ChannelSettingTests
{
    [Fact]
    public void Without_the_keyword_the_policy_is_prefer_and_nothing_is_said()
    {
        var result = ConfigParser.Parse(ConfigText.Minimal);

        Assert.Equal(ChannelPolicy.Prefer, result.Settings!.Channel);
        Assert.Empty(result.Diagnostics);
    }

    [Theory]
    [InlineData("channel legacy", ChannelPolicy.Legacy)]
    [InlineData("channel prefer", ChannelPolicy.Prefer)]
    [InlineData("channel require", ChannelPolicy.Require)]
    [InlineData("channel legacy channel require", ChannelPolicy.Require)]
    public void Each_value_is_read_and_warned_about_as_sasyncd_cs_only(string line, ChannelPolicy expected)
    {
        var result = ConfigParser.Parse(ConfigText.Minimal + line + "\n");

        Assert.True(result.IsValid, string.Join("\n", result.Diagnostics));
        Assert.Equal(expected, result.Settings!.Channel);
        Assert.All(result.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("OpenBSD's sasyncd refuses", StringComparison.Ordinal) && d.Column == 1);
    }

    [Fact]
    public void Another_value_is_an_error_that_names_the_three()
    {
        var result = ConfigParser.Parse(ConfigText.Minimal + "channel maybe\n");

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal("expected legacy, prefer or require after \"channel\", found \"maybe\"", error.Message);
    }

    [Fact]
    public void Channel_stays_a_name_elsewhere_as_it_is_for_the_original()
    {
        var settings = ConfigParser.Parse(ConfigText.Minimal + "peer channel\n").Settings!;

        Assert.Equal(["channel"], settings.Peers.ToArray());
    }
}
