using System.Text.Json;
using Sasync.Cli;
using static Sasync.Tests.PfKey.PfKeyGolden;

namespace Sasync.Tests.Cli;

public class DecodePfKeyCommandTests
{
    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    private static async Task<(int Code, JsonElement Json, string Stderr)> RunAsync(string[] args, string stdin = "")
    {
        var run = await CliRun.RunAsync(["decode", "pfkey", .. args], stdin);
        using var document = JsonDocument.Parse(run.Stdout);
        return (run.ExitCode, document.RootElement.Clone(), run.Stderr);
    }

    [Fact]
    public async Task Add_is_printed_with_header_names_and_typed_extensions()
    {
        var bytes = Message(3, 2, 1, 42, Sa, AddressSrc, AddressDst6, KeyAuth, KeyEncrypt, SrcFlow, FlowType, Unknown99);
        var (code, json, _) = await RunAsync([Hex(bytes)]);
        Assert.Equal(0, code);
        Assert.Equal(2, json.GetProperty("version").GetInt32());
        Assert.Equal("ADD", json.GetProperty("type").GetString());
        Assert.Equal(0, json.GetProperty("errno").GetInt32());
        Assert.Equal("ESP", json.GetProperty("satype").GetString());
        Assert.Equal(1, json.GetProperty("seq").GetInt32());
        Assert.Equal(42, json.GetProperty("pid").GetInt32());

        var extensions = json.GetProperty("extensions").EnumerateArray().ToArray();
        Assert.Equal(["SA", "ADDRESS_SRC", "ADDRESS_DST", "KEY_AUTH", "KEY_ENCRYPT", "SRC_FLOW", "FLOW_TYPE", "UNKNOWN"],
            extensions.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("0x00001234", extensions[0].GetProperty("spi").GetString());
        Assert.Equal("MATURE", extensions[0].GetProperty("state").GetString());
        Assert.Equal("SHA2_256", extensions[0].GetProperty("auth").GetString());
        Assert.Equal("AES", extensions[0].GetProperty("encrypt").GetString());
        Assert.Equal("192.0.2.1", extensions[1].GetProperty("address").GetString());
        Assert.Equal(0, extensions[1].GetProperty("port").GetInt32());
        Assert.Equal("2001:db8::1", extensions[2].GetProperty("address").GetString());
        Assert.Equal(160, extensions[3].GetProperty("bits").GetInt32());
        Assert.Equal(128, extensions[4].GetProperty("bits").GetInt32());
        Assert.Equal(500, extensions[5].GetProperty("port").GetInt32());
        Assert.Equal("REQUIRE", extensions[6].GetProperty("flow_type").GetString());
        Assert.Equal("OUT", extensions[6].GetProperty("direction").GetString());
        Assert.Equal(99, extensions[7].GetProperty("number").GetInt32());
    }

    [Fact]
    public async Task Key_material_never_appears_in_the_output()
    {
        var run = await CliRun.RunAsync("decode", "pfkey", Hex(Message(3, 2, 1, 42, Sa, KeyEncrypt)));
        Assert.Equal(0, run.ExitCode);
        var text = run.Stdout;
        Assert.DoesNotContain("0001020304", text.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AAECAwQF", text, StringComparison.Ordinal); // base64 of the key's start
        Assert.Contains("\"bits\": 128", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hex_is_read_from_stdin_with_whitespace_and_separators()
    {
        var hex = Hex(Message(9, 0, 5, 7));
        var spaced = string.Join(' ', hex.Chunk(2).Select(c => new string(c))) + "\n";
        var (code, json, _) = await RunAsync(["-"], spaced);
        Assert.Equal(0, code);
        Assert.Equal("FLUSH", json.GetProperty("type").GetString());
        Assert.Equal("UNSPEC", json.GetProperty("satype").GetString());
        Assert.Equal(0, json.GetProperty("extensions").GetArrayLength());

        (code, json, _) = await RunAsync([], "0x" + hex);
        Assert.Equal(0, code);
        Assert.Equal(5, json.GetProperty("seq").GetInt32());
    }

    [Fact]
    public async Task Every_extension_kind_is_printed_by_name()
    {
        var bytes = Message(10, 9, 0, 0, Sa, LifetimeCurrent, IdentitySrc, Sensitivity, Proposal, SupportedAuth, SpiRange, Protocol,
            SaType2, Policy, UdpEncap, Tag, Tap, Counter, Rdomain, Mtu, Replay, Iface, LocalCredentials);
        var (code, json, _) = await RunAsync([Hex(bytes)]);
        Assert.Equal(0, code);
        Assert.Equal("IPCOMP", json.GetProperty("satype").GetString());
        var byType = json.GetProperty("extensions").EnumerateArray().ToDictionary(e => e.GetProperty("type").GetString()!);
        Assert.Equal(1000, byType["LIFETIME_CURRENT"].GetProperty("bytes").GetInt32());
        Assert.Equal("gw.example", byType["IDENTITY_SRC"].GetProperty("identity").GetString());
        Assert.Equal("FQDN", byType["IDENTITY_SRC"].GetProperty("identity_type").GetString());
        Assert.Equal(1, byType["SENSITIVITY"].GetProperty("sens_len").GetInt32());
        Assert.Equal(7200, byType["PROPOSAL"].GetProperty("combinations")[0].GetProperty("hard_addtime").GetInt32());
        Assert.Equal(2, byType["SUPPORTED_AUTH"].GetProperty("algorithms").GetArrayLength());
        Assert.Equal("0xffffffff", byType["SPIRANGE"].GetProperty("max").GetString());
        Assert.Equal(6, byType["PROTOCOL"].GetProperty("protocol").GetInt32());
        Assert.Equal("IPIP", byType["SATYPE2"].GetProperty("satype").GetString());
        Assert.Equal(42, byType["POLICY"].GetProperty("seq").GetInt32());
        Assert.Equal(4500, byType["UDPENCAP"].GetProperty("port").GetInt32());
        Assert.Equal("vpn", byType["TAG"].GetProperty("tag").GetString());
        Assert.Equal(3, byType["TAP"].GetProperty("unit").GetInt32());
        Assert.Equal(8, byType["COUNTER"].GetProperty("ouncompbytes").GetInt32());
        Assert.Equal(2, byType["RDOMAIN"].GetProperty("dom2").GetInt32());
        Assert.Equal(1400, byType["MTU"].GetProperty("mtu").GetInt32());
        Assert.Equal(0x0102030405060708, byType["REPLAY"].GetProperty("count").GetInt64());
        Assert.Equal("IN", byType["IFACE"].GetProperty("direction").GetString());
        Assert.Equal(16, byType["LOCAL_CREDENTIALS"].GetProperty("length").GetInt32());
        // IPCOMP SAs name their algorithm from SADB_X_CALG_*: 12 has no name there.
        Assert.Equal(12, byType["SA"].GetProperty("encrypt").GetInt32());
    }

    [Theory]
    [InlineData("zz", "not a hex digit")]
    [InlineData("abc", "odd number")]
    [InlineData("", "no hex input")]
    [InlineData("0203", "shorter than the 16-byte header")]
    [InlineData("02030002030000000100000000000000", "does not match")]
    public async Task Bad_input_is_a_json_error_and_exit_1(string hex, string expected)
    {
        var (code, json, _) = await RunAsync([hex]);
        Assert.Equal(1, code);
        Assert.Contains(expected, json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_extension_is_reported_with_its_offset()
    {
        var bytes = Message(3, 2, 1, 42, "0300 0500 00000000 20 02 0000 c0000201 0000000000000000");
        var (code, json, _) = await RunAsync([Hex(bytes)]);
        Assert.Equal(1, code);
        Assert.Contains("at byte 24", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promiscuous_copy_shows_the_wrapper_and_the_message_it_carries()
    {
        var inner = Message(3, 2, 9, 4242, Sa, AddressSrc, AddressDst, KeyEncrypt);
        var units = (16 + inner.Length) / 8;
        // Kernel wrapper: version 2, X_PROMISC, len, seq = the writer's pid (4242 = 0x1092), pid 0.
        var wrapper = Bytes($"02 0b 00 00 {units:x2}00 0000 92100000 00000000");
        var (code, json, _) = await RunAsync([Hex([.. wrapper, .. inner])]);
        Assert.Equal(0, code);
        Assert.Equal("X_PROMISC", json.GetProperty("type").GetString());
        Assert.Equal(4242, json.GetProperty("seq").GetInt32());
        Assert.Equal(0, json.GetProperty("extensions").GetArrayLength());
        var message = json.GetProperty("message");
        Assert.Equal("ADD", message.GetProperty("type").GetString());
        Assert.Equal(4242, message.GetProperty("pid").GetInt32());
        Assert.Equal(4, message.GetProperty("extensions").GetArrayLength());

        // A broken inner message is reported at its offset in the whole buffer.
        var broken = inner.ToArray();
        broken[16] = 0; // the inner message's first extension length (byte 32 of the whole)
        (code, json, _) = await RunAsync([Hex([.. wrapper, .. broken])]);
        Assert.Equal(1, code);
        Assert.Contains("at byte 32", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_arguments_are_named_and_exit_1()
    {
        var run = await CliRun.RunAsync("decode", "pfkey", "00", "11");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.StartsWith("sasyncd-cs decode pfkey: unexpected argument '11'\n", run.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_verb_is_routed_by_the_command_line()
    {
        using var stdout = new StringWriter();
        var code = await CommandLine.RunAsync(["decode", "pfkey", Hex(Message(11, 1, 1, 2))], stdout, TextWriter.Null, CancellationToken.None);
        Assert.Equal(0, code);
        Assert.Contains("\"X_PROMISC\"", stdout.ToString(), StringComparison.Ordinal);
    }
}
