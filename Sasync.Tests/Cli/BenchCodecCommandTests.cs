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
    public async Task Json_output_puts_the_ceiling_of_the_codecs_primitives_beside_its_rates()
    {
        var (code, stdout, _) = await RunAsync("codec", "--seconds", "0.02", "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        var ceilingEncode = root.GetProperty("ceilingEncodePerCpuSecond").GetDouble();
        var ceilingDecode = root.GetProperty("ceilingDecodePerCpuSecond").GetDouble();
        Assert.True(ceilingEncode > 0);
        Assert.True(ceilingDecode > 0);
        Assert.Equal(Math.Round(root.GetProperty("encodePerCpuSecond").GetDouble() / ceilingEncode, 3), root.GetProperty("encodeShareOfCeiling").GetDouble(), 2);
        Assert.Equal(Math.Round(root.GetProperty("decodePerCpuSecond").GetDouble() / ceilingDecode, 3), root.GetProperty("decodeShareOfCeiling").GetDouble(), 2);
        foreach (var part in new[] { "sha1PerCpuSecond", "aesCbcEncryptPerCpuSecond", "aesCbcDecryptPerCpuSecond" })
        {
            Assert.True(root.GetProperty(part).GetDouble() > 0, part);
        }

        Assert.False(root.TryGetProperty("primitives", out _));
    }

    [Fact]
    public async Task Primitives_lists_every_alternative_with_one_chosen_per_operation()
    {
        var (code, stdout, _) = await RunAsync("codec", "--seconds", "0.02", "--key-bits", "192", "--primitives", "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        var primitives = json.RootElement.GetProperty("primitives").EnumerateArray()
            .Select(p => (Operation: p.GetProperty("operation").GetString(), Name: p.GetProperty("name").GetString(), Chosen: p.GetProperty("chosen").GetBoolean(), Rate: p.GetProperty("perCpuSecond").GetDouble()))
            .ToList();
        Assert.Equal(["aesCbcDecrypt", "aesCbcEncrypt", "sha1"], primitives.Select(p => p.Operation).Distinct().Order());
        Assert.All(primitives.GroupBy(p => p.Operation), g => Assert.Single(g, p => p.Chosen));
        Assert.All(primitives, p => Assert.True(p.Rate > 0, p.Name));
        // Two more where the CPU has AES-NI: sasyncd-cs's own AES-CBC, each way.
        Assert.Equal(Core.Wire.AesNiCbc.IsSupported ? 11 : 9, primitives.Select(p => p.Name).Distinct().Count());
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
        Assert.Contains("ceiling:", stdout.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("primitives per CPU second", stdout.ToString(), StringComparison.Ordinal);
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
