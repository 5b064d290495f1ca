using System.Text.Json;
using Sasync.Core.Control;
using Sasync.Tests.Support;

namespace Sasync.Tests.Control;

/// <summary>
/// Clients that connect and say nothing, say half a request, flood the socket or outnumber the bound: none of them
/// keeps another client from its answer. Timeouts in the options are small to keep the tests short; the test
/// timeouts only stop a hang, nothing asserts a duration.
/// </summary>
public sealed class ControlServerLimitsTests : IDisposable
{
    private const int HangGuard = 60_000;
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("sasync-limits-").FullName;
    private readonly LogCapture _logs = new();

    private string SocketPath => Path.Combine(_directory, "ctl.sock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Answers "echo" at once and "hang" never (until cancelled).</summary>
    private sealed class TestHandler : IControlHandler
    {
        public async ValueTask<ControlReply> HandleAsync(ControlRequest request, CancellationToken cancellationToken)
        {
            if (request.Command == "hang")
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return request.Command == "echo"
                ? ControlReply.Success(w => w.WriteStringValue(request.GetString("text") ?? ""))
                : ControlReply.Failure($"unknown command {request.Command}");
        }
    }

    private ControlServer Start(ControlServerOptions? options = null)
    {
        var server = new ControlServer(SocketPath, new TestHandler(), _logs.CreateLogger("control"), options);
        server.Start();
        return server;
    }

    private async Task<string> EchoAsync(string text)
    {
        using var reply = await ControlClient.RequestAsync(SocketPath, "echo", w => w.WriteString("text", text), ClientTimeout, default);
        Assert.True(reply.RootElement.GetProperty("ok").GetBoolean(), reply.RootElement.GetRawText());
        return reply.RootElement.GetProperty("result").GetString()!;
    }

    [Fact(Timeout = HangGuard)]
    public async Task Many_idle_and_busy_clients_do_not_lock_out_a_request()
    {
        await using var server = Start();
        var idle = new List<RawControlClient>();
        var busy = new List<RawControlClient>();
        try
        {
            for (var i = 0; i < 100; i++)
            {
                idle.Add(await RawControlClient.ConnectAsync(SocketPath));
                busy.Add(await RawControlClient.ConnectAsync(SocketPath));
            }

            // Busy clients keep a request in flight, idle ones never send a byte.
            using var stopBusy = new CancellationTokenSource();
            var answered = new int[busy.Count];
            var busyLoops = busy.Select((client, n) => Task.Run(async () =>
            {
                while (!stopBusy.IsCancellationRequested)
                {
                    await client.SendAsync("{\"command\":\"echo\",\"text\":\"busy\"}\n");
                    using var reply = await client.ReadReplyAsync();
                    Assert.NotNull(reply);
                    Interlocked.Increment(ref answered[n]);
                }
            })).ToList();
            await Eventually.TrueAsync(() => answered.All(a => Volatile.Read(ref a) > 0), "every busy client has been answered");

            Assert.Equal("through", await EchoAsync("through"));
            await Eventually.TrueAsync(() => server.ConnectedClients == 200, "all 200 clients are being served at once");
            Assert.Equal(0, server.RefusedClients);
            await stopBusy.CancelAsync();
            await Task.WhenAll(busyLoops);
        }
        finally
        {
            idle.Concat(busy).ToList().ForEach(c => c.Dispose());
        }
    }

    [Fact(Timeout = HangGuard)]
    public async Task A_burst_of_simultaneous_requests_is_answered_in_full()
    {
        await using var server = Start();

        var answers = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(() => EchoAsync($"n{i}"))));

        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"n{i}"), answers);
    }

    [Fact(Timeout = HangGuard)]
    public async Task Past_the_bound_a_client_gets_too_many_clients_and_room_comes_back_when_one_leaves()
    {
        await using var server = Start(new ControlServerOptions { MaxClients = 3 });
        var held = new List<RawControlClient>();
        for (var i = 0; i < 3; i++)
        {
            held.Add(await RawControlClient.ConnectAsync(SocketPath));
        }

        try
        {
            await Eventually.TrueAsync(() => server.ConnectedClients == 3, "three clients served");
            using var excess = await RawControlClient.ConnectAsync(SocketPath);
            var refusal = Assert.Single(await excess.RepliesUntilCloseAsync());
            Assert.False(refusal.RootElement.GetProperty("ok").GetBoolean());
            Assert.StartsWith("too many clients: 3 are connected", refusal.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Equal(1, server.RefusedClients);
            Assert.True(_logs.Contains("3 clients connected; refused 1 more"));

            held[0].Dispose();
            await Eventually.TrueAsync(() => server.ConnectedClients == 2, "the server saw the client leave");
            Assert.Equal("room", await EchoAsync("room"));
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }

    [Fact(Timeout = HangGuard)]
    public async Task A_silent_client_is_closed_after_the_idle_timeout_and_the_close_is_logged()
    {
        await using var server = Start(new ControlServerOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        using var silent = await RawControlClient.ConnectAsync(SocketPath);

        Assert.Empty(await silent.RepliesUntilCloseAsync());

        await Eventually.TrueAsync(() => _logs.Contains("control client closed: idle for 0.3 s"), "the idle close is logged");
        await Eventually.TrueAsync(() => server.ConnectedClients == 0, "the slot is free again");
    }

    [Fact(Timeout = HangGuard)]
    public async Task Half_a_request_gets_an_error_reply_after_the_request_timeout()
    {
        await using var server = Start(new ControlServerOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        using var slow = await RawControlClient.ConnectAsync(SocketPath);
        await slow.SendAsync("{\"command\":\"ec");

        var reply = Assert.Single(await slow.RepliesUntilCloseAsync());

        Assert.False(reply.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("the request line was not completed within 0.3 s", reply.RootElement.GetProperty("error").GetString());
        Assert.True(_logs.Contains("control client closed: a request line not completed within 0.3 s"));
    }

    [Fact(Timeout = HangGuard)]
    public async Task A_handler_that_never_answers_is_replied_as_an_error_and_the_session_goes_on()
    {
        await using var server = Start(new ControlServerOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        using var client = await RawControlClient.ConnectAsync(SocketPath);
        await client.SendAsync("{\"command\":\"hang\"}\n{\"command\":\"echo\",\"text\":\"after\"}\n");

        using var late = await client.ReadReplyAsync();
        using var after = await client.ReadReplyAsync();

        Assert.Equal("hang: no answer within 0.3 s", late!.RootElement.GetProperty("error").GetString());
        Assert.Equal("after", after!.RootElement.GetProperty("result").GetString());
        Assert.True(_logs.Contains("control command hang gave no answer within 0.3 s"));
    }

    [Fact(Timeout = HangGuard)]
    public async Task Wrong_argument_types_and_bad_text_are_answered_not_thrown()
    {
        await using var server = Start();
        using var client = await RawControlClient.ConnectAsync(SocketPath);
        var lines = new (byte[] Line, string Error)[]
        {
            ([.. "{\"command\":\"stat"u8, 0xff, .. "us\"}"u8], "not valid UTF-8 (byte 0xff at offset 16)"),
            ("{\"command\":\"\\ud800\"}"u8.ToArray(), "not valid Unicode"),
            ("{\"command\":\"echo\",\"text\":\"a\\udc00b\"}"u8.ToArray(), "not valid Unicode"),
            ("{\"command\":\"echo\",\"x\":{\"\\ud83d\":1}}"u8.ToArray(), "not valid Unicode"),
        };
        foreach (var (line, error) in lines)
        {
            await client.SendAsync([.. line, (byte)'\n']);
            using var reply = await client.ReadReplyAsync();
            Assert.NotNull(reply);
            Assert.False(reply.RootElement.GetProperty("ok").GetBoolean());
            Assert.Contains(error, reply.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // A valid surrogate pair is fine.
        await client.SendAsync("{\"command\":\"echo\",\"text\":\"\\ud83d\\ude00\"}\n");
        using var pair = await client.ReadReplyAsync();
        Assert.Equal("\U0001F600", pair!.RootElement.GetProperty("result").GetString());
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public void Typed_arguments_refuse_the_wrong_type_with_a_reason()
    {
        using var document = JsonDocument.Parse("{\"command\":\"sim.inject\",\"hex\":\"0203\",\"pid\":\"1\",\"big\":1e400,\"n\":7,\"none\":null}");
        var request = new ControlRequest("sim.inject", document.RootElement.Clone());

        Assert.False(request.TryGetInt64("pid", out _, out var pidError));
        Assert.Equal("\"pid\" must be a number, not a string", pidError);
        Assert.False(request.TryGetInt64("big", out _, out var bigError));
        Assert.StartsWith("\"big\" must be a whole number", bigError, StringComparison.Ordinal);
        Assert.False(request.TryGetString("n", out _, out var nError));
        Assert.Equal("\"n\" must be a string, not a number", nError);
        Assert.True(request.TryGetInt64("n", out var n, out _));
        Assert.Equal(7, n);
        Assert.True(request.TryGetInt64("none", out var none, out _));
        Assert.Null(none);
        Assert.True(request.TryGetString("absent", out var absent, out _));
        Assert.Null(absent);
        Assert.Null(request.GetInt64("pid"));
    }
}
