using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sasync.Core.Control;
using Sasync.Core.Hosting;
using Sasync.Core.Simulation;
using Sasync.Tests.Support;

namespace Sasync.Tests.Control;

/// <summary>
/// Seeded random abuse of the control protocol against the simulated platform's real handler: random bytes,
/// truncated JSON, wrong argument types, huge numbers, invalid UTF-8, lone surrogates, deep nesting. Every input
/// gets a well-formed reply, or the connection is closed and the close is logged; no handler ever throws.
/// </summary>
public sealed class ControlProtocolFuzzTests : IDisposable
{
    private const int HangGuard = 120_000;
    private const int Inputs = 600;
    private static readonly string[] Commands = ["sim.inject", "sim.carp", "sim.dump", "status", "nope", ""];

    private readonly string _directory = Directory.CreateTempSubdirectory("sasync-fuzz-").FullName;
    private readonly LogCapture _logs = new();

    private string SocketPath => Path.Combine(_directory, "ctl.sock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory(Timeout = HangGuard)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Every_input_is_answered_or_its_close_is_logged(int seed)
    {
        var random = new Random(seed);
        await using var server = new ControlServer(SocketPath, new SimulationControlHandler(new SimulatedNode(), daemonPid: 4242), _logs.CreateLogger("control"));
        server.Start();
        var client = await RawControlClient.ConnectAsync(SocketPath);
        try
        {
            for (var i = 0; i < Inputs; i++)
            {
                var (input, kind) = Generate(random);
                if (random.Next(20) == 0)
                {
                    // The same input without its newline, then the end of the stream: the rest is still a request.
                    using var once = await RawControlClient.ConnectAsync(SocketPath);
                    await once.SendAsync(input);
                    once.ShutdownSend();
                    var replies = await once.RepliesUntilCloseAsync();
                    AssertWellFormed(Assert.Single(replies), kind, input);
                    continue;
                }

                await client.SendAsync([.. input, (byte)'\n']);
                using var reply = await client.ReadReplyAsync();
                if (reply is null)
                {
                    await Eventually.TrueAsync(() => _logs.Contains("control client closed"), $"a logged close for {kind} input {Show(input)}");
                    client.Dispose();
                    client = await RawControlClient.ConnectAsync(SocketPath);
                    continue;
                }

                AssertWellFormed(reply, kind, input);
            }

            // And one line past the limit: an error reply, a close, a log line.
            using var huge = await RawControlClient.ConnectAsync(SocketPath);
            var flood = new byte[ControlLineProtocol.MaxLineBytes + 2];
            random.NextBytes(flood);
            flood.AsSpan().Replace((byte)'\n', (byte)'x');
            try
            {
                await huge.SendAsync(flood);
            }
            catch (SocketException)
            {
                // Closed while we were still sending: the reply may be waiting all the same.
            }

            var last = await huge.RepliesUntilCloseAsync();
            Assert.All(last, r => AssertWellFormed(r, "huge", []));
            await Eventually.TrueAsync(() => _logs.Contains("a request line longer than"), "the close of the huge line is logged");
        }
        finally
        {
            client.Dispose();
        }

        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
    }

    private static void AssertWellFormed(JsonDocument reply, string kind, byte[] input)
    {
        var root = reply.RootElement;
        var context = $"{kind} input {Show(input)} got {root.GetRawText()}";
        Assert.True(root.ValueKind == JsonValueKind.Object, context);
        var ok = root.GetProperty("ok");
        Assert.True(ok.ValueKind is JsonValueKind.True or JsonValueKind.False, context);
        if (ok.ValueKind == JsonValueKind.False)
        {
            Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("error").GetString()), context);
        }
        else
        {
            Assert.True(root.TryGetProperty("result", out _), context);
        }
    }

    private static string Show(byte[] input) => Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 64)));

    /// <summary>One line's content (never blank, never a newline inside) and what kind of abuse it is.</summary>
    private static (byte[] Input, string Kind) Generate(Random random)
    {
        var (input, kind) = random.Next(9) switch
        {
            0 => (RandomBytes(random), "random bytes"),
            1 => (Truncated(random), "truncated JSON"),
            2 => (Encoding.UTF8.GetBytes(WrongTypes(random)), "wrong types"),
            3 => (Encoding.UTF8.GetBytes(HugeNumber(random)), "huge number"),
            4 => (InvalidUtf8(random), "invalid UTF-8"),
            5 => (Encoding.UTF8.GetBytes(LoneSurrogate(random)), "lone surrogate"),
            6 => (Encoding.UTF8.GetBytes(DeepNesting(random)), "deep nesting"),
            7 => (Encoding.UTF8.GetBytes(Request(random)), "valid request"),
            _ => (Encoding.UTF8.GetBytes($"{{\"command\":{JsonValue(random, 2)}}}"), "odd command"),
        };
        var cleaned = input.Select(b => b == (byte)'\n' ? (byte)'?' : b).ToArray();
        return (cleaned.AsSpan().IndexOfAnyExcept(" \t\r"u8) < 0 ? [(byte)'!', .. cleaned] : cleaned, kind);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 300)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Truncated(Random random)
    {
        var whole = Encoding.UTF8.GetBytes(Request(random));
        return whole[..random.Next(1, whole.Length)];
    }

    private static string Request(Random random)
    {
        var command = Commands[random.Next(Commands.Length)];
        return command switch
        {
            "sim.inject" => $"{{\"command\":\"sim.inject\",\"hex\":\"{Convert.ToHexString(RandomBytes(random))}\",\"pid\":{random.Next(-5, 100_000)}}}",
            "sim.carp" => $"{{\"command\":\"sim.carp\",\"state\":\"{new[] { "master", "backup", "init", "MASTER", "" }[random.Next(5)]}\"}}",
            _ => $"{{\"command\":\"{command}\"}}",
        };
    }

    private static string WrongTypes(Random random) =>
        $"{{\"command\":\"{Commands[random.Next(3)]}\",\"hex\":{JsonValue(random, 2)},\"pid\":{JsonValue(random, 2)},\"state\":{JsonValue(random, 2)}}}";

    private static string HugeNumber(Random random)
    {
        string[] numbers = ["1e400", "-1e400", "123456789012345678901234567890", "0.5", "-0", "1E+2", "4294967296", "-9223372036854775809",
            "9223372036854775807", "1" + new string('0', 250), "0.0000000000000000000000000001"];
        var number = numbers[random.Next(numbers.Length)];
        return random.Next(2) == 0
            ? $"{{\"command\":\"sim.inject\",\"hex\":\"00\",\"pid\":{number}}}"
            : $"{{\"command\":\"sim.carp\",\"state\":{number}}}";
    }

    private static byte[] InvalidUtf8(Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(Request(random)).ToList();
        byte[][] bad = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]];
        bytes.InsertRange(random.Next(1, bytes.Count), bad[random.Next(bad.Length)]);
        return [.. bytes];
    }

    private static string LoneSurrogate(Random random)
    {
        var surrogate = $"\\u{random.Next(0xd800, 0xe000):x4}";
        return random.Next(3) switch
        {
            0 => $"{{\"command\":\"{surrogate}\"}}",
            1 => $"{{\"command\":\"sim.carp\",\"state\":\"a{surrogate}\"}}",
            _ => $"{{\"command\":\"status\",\"{surrogate}\":1}}",
        };
    }

    private static string DeepNesting(Random random)
    {
        var depth = random.Next(10, 200);
        return $"{{\"command\":\"sim.dump\",\"x\":{new string('[', depth)}{new string(']', depth)}}}";
    }

    private static string JsonValue(Random random, int depth) => random.Next(depth > 0 ? 8 : 6) switch
    {
        0 => "null",
        1 => random.Next(2) == 0 ? "true" : "false",
        2 => random.Next(int.MinValue, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
        3 => random.NextDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        4 => "\"" + Convert.ToHexString(RandomBytes(random)) + "\"",
        5 => "\"\"",
        6 => $"[{JsonValue(random, depth - 1)},{JsonValue(random, depth - 1)}]",
        _ => $"{{\"k\":{JsonValue(random, depth - 1)}}}",
    };
}
