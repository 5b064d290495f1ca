using System.Text.Json;
using Sasync.Cli;

namespace Sasync.Tests.Cli;

public class BenchCodecCommandTests
{
    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var run = await CliRun.RunAsync(["bench", .. args]);
        return (run.ExitCode, run.Stdout, run.Stderr);
    }

    [Fact]
    public async Task Json_output_reports_rates_and_allocations_for_the_chosen_payload()
    {
        var (code, stdout, _) = await RunAsync("codec", "--size", "100", "--seconds", "0.02", "--key-bits", "128", "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(100, root.GetProperty("payloadSize").GetInt32());
        Assert.Equal(160, root.GetProperty("frameLength").GetInt32());
        Assert.Equal(128, root.GetProperty("keyBits").GetInt32());
        Assert.True(root.GetProperty("encodePerSecond").GetDouble() > 0);
        Assert.True(root.GetProperty("decodePerSecond").GetDouble() > 0);
        // The array APIs allocate at least the frame and the plaintext; the span APIs used for the rates less than that.
        var encodeArray = root.GetProperty("encodeArrayAllocatedBytesPerFrame").GetDouble();
        var decodeArray = root.GetProperty("decodeArrayAllocatedBytesPerFrame").GetDouble();
        Assert.InRange(encodeArray, 160, 160 + 64);
        Assert.InRange(decodeArray, 100, 100 + 64);
        Assert.True(root.GetProperty("allocatedBytesPerFrame").GetDouble() < 100);
    }

    [Fact]
    public async Task Text_output_names_both_directions()
    {
        using var stdout = new StringWriter();
        var code = await CommandLine.RunAsync(["bench", "codec", "--seconds", "0.01"], stdout, TextWriter.Null, CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Contains("208-byte PF_KEY payload", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("encode:", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("decode:", stdout.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("codec", "--size", "0")]
    [InlineData("codec", "--size", "4097")]
    [InlineData("codec", "--size")]
    [InlineData("codec", "--seconds", "-1")]
    [InlineData("codec", "--key-bits", "100")]
    [InlineData("codec", "--bogus")]
    [InlineData("nothing")]
    public async Task Bad_arguments_exit_1_with_a_message(params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(args);

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("bench", stderr, StringComparison.Ordinal);
    }
}
