using System.Text.Json;
using Sasync.Core;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;
using Sasync.Tests.Wire.Extended;

namespace Sasync.Tests.Cli;

public class DecodeExtendedFrameCommandTests
{
    private static async Task<(int Code, JsonElement Json)> RunAsync(params string[] args)
    {
        var run = await CliRun.RunAsync(["decode", "frame", .. args], "");
        using var document = JsonDocument.Parse(run.Stdout.Length == 0 ? "null" : run.Stdout);
        return (run.ExitCode, document.RootElement.Clone());
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] Control(ControlMessage message)
    {
        var plaintext = new byte[ControlMessage.Size];
        message.WriteTo(plaintext);
        return plaintext;
    }

    [Fact]
    public async Task The_shared_key_and_both_hellos_open_a_frame_of_the_side_named_by_from()
    {
        var session = new ExtendedTestSession(70);
        ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.Control, Control(ControlMessage.StateOf(RunState.Slave)));
        var frame = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.Control, Control(ControlMessage.StateOf(RunState.Master)));

        var (code, json) = await RunAsync("--extended", "--key", "0x" + Hex(session.SharedKey),
            "--dialler-hello", Hex(session.DiallerHello), "--acceptor-hello", Hex(session.AcceptorHello), "--from", "dialler", Hex(frame));

        Assert.Equal(0, code);
        Assert.Equal("extended", json.GetProperty("channel").GetString());
        Assert.Equal("control", json.GetProperty("type").GetString());
        Assert.Equal(0u, json.GetProperty("generation").GetUInt32());
        Assert.Equal(1ul, json.GetProperty("sequence").GetUInt64());
        Assert.Equal("STATE", json.GetProperty("control").GetProperty("type").GetString());
        Assert.Equal((uint)RunState.Master, json.GetProperty("control").GetProperty("data").GetUInt32());
    }

    [Fact]
    public async Task The_other_side_of_the_same_session_does_not_open_it()
    {
        var session = new ExtendedTestSession(71);
        var frame = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.Control, Control(ControlMessage.EndSnapshot));

        var (code, json) = await RunAsync("--extended", "--key", "0x" + Hex(session.SharedKey),
            "--dialler-hello", Hex(session.DiallerHello), "--acceptor-hello", Hex(session.AcceptorHello), "--from", "acceptor", Hex(frame));

        Assert.Equal(1, code);
        Assert.Equal(FrameError.ExtendedTag.Describe(), json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_traffic_key_of_generation_0_opens_a_frame_two_rekeys_later_and_one_of_a_later_generation_cannot()
    {
        var session = new ExtendedTestSession(72, new ExtendedChannelOptions { RekeyAfterFrames = 2 });
        byte[] frame = [];
        for (var i = 0; i < 5; i++)
        {
            frame = ExtendedTestSession.Seal(session.AcceptorEncoder, WireMessageType.PfKey, [(byte)i, 0xaa]);
        }

        string[] keys = ["--extended", "--traffic-key", Hex(session.Secrets.TrafficKey(false)), "--nonce-salt", Hex(session.Secrets.NonceSalt(false))];
        var (code, json) = await RunAsync([.. keys, Hex(frame)]);

        Assert.Equal(0, code);
        Assert.Equal(2u, json.GetProperty("generation").GetUInt32());
        Assert.Equal(4ul, json.GetProperty("sequence").GetUInt64());
        Assert.Equal("04aa", json.GetProperty("plaintext").GetString());
        Assert.True(json.TryGetProperty("pfkeyError", out _));

        (code, json) = await RunAsync([.. keys, "--generation", "3", Hex(frame)]);
        Assert.Equal(1, code);
        Assert.Contains("generation 2", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_pinned_sequence_number_that_the_frame_does_not_carry_is_refused()
    {
        var session = new ExtendedTestSession(73);
        var frame = ExtendedTestSession.Seal(session.DiallerEncoder, WireMessageType.PfKey, [1, 2, 3]);
        string[] keys = ["--extended", "--traffic-key", Hex(session.Secrets.TrafficKey(true)), "--nonce-salt", Hex(session.Secrets.NonceSalt(true))];

        var (code, json) = await RunAsync([.. keys, "--sequence", "1", Hex(frame)]);

        Assert.Equal(1, code);
        Assert.Equal(FrameError.ExtendedSequence.Describe(), json.GetProperty("error").GetString());
        Assert.Equal(0, (await RunAsync([.. keys, "--sequence", "0", Hex(frame)])).Code);
    }

    [Theory]
    [InlineData("--traffic-key", "00", "--traffic-key must be 32 bytes in hex (64 digits)")]
    [InlineData("--nonce-salt", "0011223344", "--nonce-salt must be 4 bytes in hex (8 digits)")]
    public async Task A_key_or_salt_of_the_wrong_size_is_named(string option, string value, string message)
    {
        string[] args = option == "--traffic-key"
            ? ["--extended", "--traffic-key", value, "--nonce-salt", "00112233", "00"]
            : ["--extended", "--traffic-key", new string('0', 64), "--nonce-salt", value, "00"];

        var (code, json) = await RunAsync(args);

        Assert.Equal(1, code);
        Assert.Equal(message, json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Extended_options_without_extended_are_refused()
    {
        var (code, json) = await RunAsync("--key", "0123456789abcdef", "--traffic-key", new string('0', 64), "00");

        Assert.Equal(1, code);
        Assert.Equal("--traffic-key is for extended frames: add --extended", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Extended_without_any_keys_says_what_it_needs()
    {
        var (code, json) = await RunAsync("--extended", "00");

        Assert.Equal(1, code);
        Assert.Contains("--traffic-key", json.GetProperty("error").GetString());
        Assert.Contains("--dialler-hello", json.GetProperty("error").GetString());
    }
}
