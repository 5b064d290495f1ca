using System.Text;
using Sasync.Core.Config;

namespace Sasync.Tests.Config;

/// <summary>
/// Reading is linear in the size of the text. 200 000 peers (3.4 MB, beyond the file limit, so through the
/// parser directly) take about a second; a list scan for duplicates made it about 2·10¹⁰ string compares, far
/// past the guard. The guard only stops a hang; it is not a measured duration.
/// </summary>
public class ConfigScaleTests
{
    private const int HangGuard = 60_000;
    private const int Peers = 200_000;

    private static string Peer(int i) => $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}";

    [Fact(Timeout = HangGuard)]
    public async Task Two_hundred_thousand_distinct_peers_are_kept_in_file_order()
    {
        var text = new StringBuilder(ConfigText.Minimal);
        for (var i = 0; i < Peers; i++)
        {
            text.Append("peer ").Append(Peer(i)).Append('\n');
        }

        var result = await Task.Run(() => ConfigParser.Parse(text.ToString()));

        Assert.True(result.IsValid);
        Assert.Empty(result.Diagnostics);
        var peers = result.Settings!.Peers;
        Assert.Equal(Peers, peers.Length);
        Assert.Equal((Peer(0), Peer(Peers / 2), Peer(Peers - 1)), (peers[0], peers[Peers / 2], peers[^1]));
    }

    [Fact(Timeout = HangGuard)]
    public async Task Every_duplicate_among_many_peers_names_the_line_of_the_first()
    {
        // Each peer twice, the second round in reverse order: half the peers are duplicates.
        var text = new StringBuilder(ConfigText.Minimal);
        const int Distinct = Peers / 2;
        for (var i = 0; i < Distinct; i++)
        {
            text.Append("peer ").Append(Peer(i)).Append('\n');
        }

        for (var i = Distinct - 1; i >= 0; i--)
        {
            text.Append("peer ").Append(Peer(i)).Append('\n');
        }

        var result = await Task.Run(() => ConfigParser.Parse(text.ToString()));

        Assert.True(result.IsValid);
        Assert.Equal(Distinct, result.Settings!.Peers.Length);
        Assert.Equal(Distinct, result.Diagnostics.Length);
        Assert.All(result.Diagnostics, d => Assert.False(d.IsError));
        // The first duplicate (line 3 + Distinct) repeats the last peer, first listed on line 2 + Distinct.
        var first = result.Diagnostics[0];
        Assert.Equal(3 + Distinct, first.Line);
        Assert.Equal($"peer \"{Peer(Distinct - 1)}\" is already listed on line {2 + Distinct}; the duplicate is ignored", first.Message);
        Assert.EndsWith("is already listed on line 3; the duplicate is ignored", result.Diagnostics[^1].Message, StringComparison.Ordinal);
    }
}
