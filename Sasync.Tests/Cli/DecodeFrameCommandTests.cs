using System.Text;
using System.Text.Json;
using Sasync.Cli;
using Sasync.Cli.Commands;
using Sasync.Core.Config;
using Sasync.Core.Wire;
using Sasync.Tests.Wire;

namespace Sasync.Tests.Cli;

public class DecodeFrameCommandTests
{
    private static async Task<(int Code, JsonElement Json, string Stderr)> RunAsync(string stdin, params string[] args)
    {
        var run = await CliRun.RunAsync(["decode", .. args], stdin);
        using var document = JsonDocument.Parse(run.Stdout.Length == 0 ? "null" : run.Stdout);
        return (run.ExitCode, document.RootElement.Clone(), run.Stderr);
    }

    private static string KeyArgument(FrameVector vector) => "0x" + Convert.ToHexString(vector.Key);

    [Fact]
    public async Task A_control_frame_on_the_command_line_prints_type_padding_plaintext_and_the_message()
    {
        var vector = FrameVectors.Named("ctl-1-2-0-k16");

        var (code, json, _) = await RunAsync("", "frame", "--key", KeyArgument(vector), Convert.ToHexString(vector.Frame));

        Assert.Equal(0, code);
        Assert.Equal("control", json.GetProperty("type").GetString());
        Assert.Equal(4, json.GetProperty("padLength").GetInt32());
        Assert.Equal("000000010000000200000000", json.GetProperty("plaintext").GetString());
        var control = json.GetProperty("control");
        Assert.Equal("STATE", control.GetProperty("type").GetString());
        Assert.Equal(2u, control.GetProperty("data").GetUInt32());
        Assert.Equal(0u, control.GetProperty("data2").GetUInt32());
    }

    [Fact]
    public async Task A_pfkey_frame_shows_the_decoded_message_without_its_keys()
    {
        var key = new SharedKey(Convert.FromHexString("000102030405060708090a0b0c0d0e0f"));
        var add = Core.Simulation.IkeDaemonMessages.AddEspSa(77, 5, 0x1234, System.Net.IPAddress.Parse("192.0.2.1"), System.Net.IPAddress.Parse("192.0.2.2"));
        Assert.True(new FrameEncoder(key).TryEncode(WireMessageType.PfKey, add, out byte[]? frame, out _));

        var (code, json, _) = await RunAsync("", "frame", "--key", "0x000102030405060708090a0b0c0d0e0f", Convert.ToHexString(frame));

        Assert.Equal(0, code);
        var pfkey = json.GetProperty("pfkey");
        Assert.Equal("ADD", pfkey.GetProperty("type").GetString());
        Assert.Equal("ESP", pfkey.GetProperty("satype").GetString());
        Assert.Contains(pfkey.GetProperty("extensions").EnumerateArray(), e => e.GetProperty("type").GetString() == "SA" && e.GetProperty("spi").GetString() == "0x00001234");
        // The SA's keys (SPI-derived in the simulation) appear only in the plaintext hex, never decoded.
        Assert.DoesNotContain("00001234000000000000", pfkey.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("-")]
    [InlineData(null)]
    public async Task A_pfkey_frame_is_read_from_stdin_even_wrapped_over_lines(string? source)
    {
        var vector = FrameVectors.Named("pfkey-40-k32");
        var hex = Convert.ToHexStringLower(vector.Frame);
        var wrapped = string.Join("\n", hex.Chunk(60).Select(c => new string(c))) + "\n";
        string[] args = source is null ? ["frame", "--key", KeyArgument(vector)] : ["frame", "--key", KeyArgument(vector), source];

        var (code, json, _) = await RunAsync(wrapped, args);

        Assert.Equal(0, code);
        Assert.Equal("pfkey", json.GetProperty("type").GetString());
        Assert.Equal(8, json.GetProperty("padLength").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(vector.Plaintext), json.GetProperty("plaintext").GetString());
        Assert.False(json.TryGetProperty("control", out _));
    }

    [Theory]
    [InlineData("0123456789abcdef")]
    [InlineData("0123456789abcdefghijklmn")]
    [InlineData("0123456789abcdefghijklmnopqrstuv")]
    public async Task A_plain_string_key_is_used_byte_for_byte(string key)
    {
        var frame = new FrameEncoder(new SharedKey(Encoding.ASCII.GetBytes(key))).Encode(ControlMessage.EndSnapshot);

        var (code, json, _) = await RunAsync("", "frame", "--key", key, Convert.ToHexString(frame));

        Assert.Equal(0, code);
        Assert.Equal("ENDSNAP", json.GetProperty("control").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("wrong-key", "SHA-1")]
    [InlineData("truncated", "truncated")]
    [InlineData("not-hex", "not hex")]
    [InlineData("empty-frame", "length")]
    [InlineData("odd-key", "odd number")]
    [InlineData("short-key", "16, 24 or 32 bytes")]
    [InlineData("no-key", "missing --key")]
    public async Task Failures_print_an_error_object_and_exit_1(string failure, string messagePart)
    {
        var vector = FrameVectors.Named("ctl-4-0-0-k24");
        var hex = Convert.ToHexString(vector.Frame);
        string[] args = failure switch
        {
            "wrong-key" => ["frame", "--key", "0x" + new string('0', 48), hex],
            "truncated" => ["frame", "--key", KeyArgument(vector), hex[..^2]],
            "not-hex" => ["frame", "--key", KeyArgument(vector), "zz" + hex],
            "empty-frame" => ["frame", "--key", "0x000102030405060708090a0b0c0d0e0f", Convert.ToHexString(FrameVectors.Named("raw-0-k16").Frame)],
            "odd-key" => ["frame", "--key", "0x" + new string('a', 33), hex],
            "short-key" => ["frame", "--key", "too-short", hex],
            "no-key" => ["frame", hex],
            _ => throw new ArgumentOutOfRangeException(nameof(failure)),
        };

        var (code, json, _) = await RunAsync("", args);

        Assert.Equal(1, code);
        Assert.Contains(messagePart, json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_frame_is_an_unexpected_argument_on_stderr()
    {
        var (code, json, stderr) = await RunAsync("", "frame", "--key", "0x000102030405060708090a0b0c0d0e0f", "00", "11");

        Assert.Equal(1, code);
        Assert.Equal(JsonValueKind.Null, json.ValueKind);
        Assert.StartsWith("sasyncd-cs decode frame: unexpected argument '11'\n", stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Input_longer_than_any_frame_is_refused_without_reading_it_all()
    {
        var vector = FrameVectors.Named("ctl-4-0-0-k24");

        var (code, json, _) = await RunAsync(new string('0', 100_000), "frame", "--key", KeyArgument(vector), "-");

        Assert.Equal(1, code);
        Assert.Contains("too long", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_kind_prints_the_usage_and_the_verb_is_wired_into_the_command_line()
    {
        var (code, _, stderr) = await RunAsync("", "nonsense");
        Assert.Equal(1, code);
        Assert.Contains("sasyncd-cs decode: expected one of frame, pfkey", stderr, StringComparison.Ordinal);

        var vector = FrameVectors.Named("ctl-1-1-0-k16");
        using var stdout = new StringWriter();
        var exit = await CommandLine.RunAsync(["decode", "frame", "--key", KeyArgument(vector), Convert.ToHexString(vector.Frame)], stdout, TextWriter.Null, CancellationToken.None);
        Assert.Equal(0, exit);
        Assert.Contains("\"STATE\"", stdout.ToString(), StringComparison.Ordinal);
    }
}
