using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sasync.Tests.Cli;

/// <summary>The README's PF_KEY examples are whole messages that run as they are.</summary>
public sealed partial class ReadmeExampleTests
{
    private static readonly string Readme = File.ReadAllText(FindReadme());

    [Fact]
    public async Task The_decode_pfkey_example_decodes_to_an_esp_add()
    {
        var hex = Assert.Single(DecodeExample().Matches(Readme)).Groups[1].Value;

        var json = await DecodeAsync(hex);

        Assert.Equal("ADD", json.GetProperty("type").GetString());
        Assert.Equal("ESP", json.GetProperty("satype").GetString());
        Assert.Equal(500, json.GetProperty("pid").GetInt32());
        Assert.Equal("0x00004242", json.GetProperty("extensions")[0].GetProperty("spi").GetString());
    }

    [Fact]
    public async Task The_sim_inject_example_is_a_whole_add_written_as_pid_500()
    {
        var hex = Assert.Single(InjectExample().Matches(Readme)).Groups[1].Value;

        var json = await DecodeAsync(hex);

        Assert.Equal("ADD", json.GetProperty("type").GetString());
        Assert.Equal(500, json.GetProperty("pid").GetInt32()); // the pid sim inject writes as by default
        Assert.Equal("0x00004243", json.GetProperty("extensions")[0].GetProperty("spi").GetString());
    }

    private static async Task<JsonElement> DecodeAsync(string hex)
    {
        var run = await CliRun.RunAsync("decode", "pfkey", hex);
        Assert.True(run.ExitCode == 0, run.Stdout);
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && Directory.Exists(Path.Combine(dir.FullName, "Sasync.Cli")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("README.md not found above the test directory");
    }

    [GeneratedRegex(@"^sasyncd-cs decode pfkey ([0-9a-f]+)$", RegexOptions.Multiline)]
    private static partial Regex DecodeExample();

    [GeneratedRegex(@"sim inject --control \S+ ([0-9a-f]+) ", RegexOptions.Multiline)]
    private static partial Regex InjectExample();
}
