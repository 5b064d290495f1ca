using System.Text.Json;
using Sasync.Core.Wire.Extended;

namespace Sasync.Tests.Cli;

public class BenchCodecExtendedTests
{
    public static TheoryData<string, string, int> Implementations
    {
        get
        {
            var implementations = new TheoryData<string, string, int> { { "bcl", "bcl", 0 }, { "bouncycastle", "bouncyCastle", 1 } };
            if (VectorizedAesGcmCipher.IsSupported)
            {
                implementations.Add("vectorized", "vectorized", 0);
                implementations.Add("auto", "vectorized", 0);
            }

            return implementations;
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public async Task Json_output_reports_the_extended_channel_beside_the_legacy_figures(string aead, string used, int minAllocated)
    {
        var run = await CliRun.RunAsync("bench", "codec", "--size", "100", "--seconds", "0.02", "--aead", aead, "--json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.True(json.RootElement.GetProperty("encodePerSecond").GetDouble() > 0);
        var extended = json.RootElement.GetProperty("extended");
        Assert.Equal(used, extended.GetProperty("aead").GetString());
        Assert.Equal(100 + 36, extended.GetProperty("frameLength").GetInt32());
        Assert.True(extended.GetProperty("encodePerSecond").GetDouble() > 0);
        Assert.True(extended.GetProperty("decodePerSecond").GetDouble() > 0);
        Assert.True(extended.GetProperty("encodePerCpuSecond").GetDouble() > 0);
        // The IFrameDecoder path allocates the plaintext; the span path the rates are from allocates nothing but with BouncyCastle's GCM.
        Assert.InRange(extended.GetProperty("decodeArrayAllocatedBytesPerFrame").GetDouble(), 100, 100 + 64 + (minAllocated * 2000));
        Assert.True(extended.GetProperty("encodeAllocatedBytesPerFrame").GetDouble() >= minAllocated);
        if (minAllocated == 0)
        {
            Assert.True(extended.GetProperty("encodeAllocatedBytesPerFrame").GetDouble() < 1);
        }
    }

    [Fact]
    public async Task Text_output_names_the_extended_channel()
    {
        var run = await CliRun.RunAsync("bench", "codec", "--seconds", "0.01");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("extended channel: 244-byte frame, AES-256-GCM", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_aead_is_refused()
    {
        var run = await CliRun.RunAsync("bench", "codec", "--aead", "rot13");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--aead", run.Stderr, StringComparison.Ordinal);
    }
}
