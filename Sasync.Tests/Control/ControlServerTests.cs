using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core.Control;

namespace Sasync.Tests.Control;

public sealed class ControlServerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sasync-control-").FullName;

    private string SocketPath => Path.Combine(_directory, "ctl.sock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class EchoHandler : IControlHandler
    {
        public ValueTask<ControlReply> HandleAsync(ControlRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(request.Command switch
            {
                "echo" => ControlReply.Success(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("text", request.GetString("text"));
                    w.WriteNumber("n", request.GetInt64("n") ?? -1);
                    w.WriteEndObject();
                }),
                "boom" => throw new InvalidOperationException("handler broke"),
                _ => ControlReply.Failure($"unknown command {request.Command}"),
            });
    }

    private async Task<ControlServer> StartAsync()
    {
        var server = new ControlServer(SocketPath, new EchoHandler(), NullLogger.Instance);
        server.Start();
        return await Task.FromResult(server);
    }

    [Fact]
    public async Task Request_gets_the_handlers_result()
    {
        await using var server = await StartAsync();
        using var reply = await ControlClient.RequestAsync(SocketPath, "echo", w => { w.WriteString("text", "hi"); w.WriteNumber("n", 7); }, TimeSpan.FromSeconds(10), default);
        Assert.True(reply.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("hi", reply.RootElement.GetProperty("result").GetProperty("text").GetString());
        Assert.Equal(7, reply.RootElement.GetProperty("result").GetProperty("n").GetInt64());
    }

    [Fact]
    public async Task Unknown_command_and_failing_handler_answer_with_an_error()
    {
        await using var server = await StartAsync();
        using var unknown = await ControlClient.RequestAsync(SocketPath, "nope", null, TimeSpan.FromSeconds(10), default);
        Assert.False(unknown.RootElement.GetProperty("ok").GetBoolean());
        Assert.Contains("nope", unknown.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);

        using var boom = await ControlClient.RequestAsync(SocketPath, "boom", null, TimeSpan.FromSeconds(10), default);
        Assert.Contains("handler broke", boom.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_lines_get_an_error_and_the_connection_keeps_serving()
    {
        await using var server = await StartAsync();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        await using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await stream.WriteAsync("not json\n[1,2]\n{\"command\":\"echo\",\"text\":\"ok\"}\n"u8.ToArray());
        var first = JsonDocument.Parse(await reader.ReadLineAsync() ?? "");
        var second = JsonDocument.Parse(await reader.ReadLineAsync() ?? "");
        var third = JsonDocument.Parse(await reader.ReadLineAsync() ?? "");
        Assert.Contains("not JSON", first.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("command", second.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", third.RootElement.GetProperty("result").GetProperty("text").GetString());
    }

    [Fact]
    public async Task An_endless_line_is_cut_off_with_an_error_reply_not_buffered()
    {
        await using var server = await StartAsync();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'x');
        try
        {
            for (var sent = 0; sent < 4 * ControlLineProtocol.MaxLineBytes; sent += chunk.Length)
            {
                await socket.SendAsync(chunk);
            }
        }
        catch (SocketException)
        {
            // Closed by the server while we were still sending; its reply may already be in our receive buffer.
        }

        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        try
        {
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // A reset after the reply: the unread bytes we sent were discarded by the server's close.
        }

        var text = Encoding.UTF8.GetString(received.ToArray());
        if (text.Length > 0)
        {
            using var refusal = JsonDocument.Parse(text);
            Assert.False(refusal.RootElement.GetProperty("ok").GetBoolean());
            Assert.Contains("longer than", refusal.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        using var reply = await ControlClient.RequestAsync(SocketPath, "echo", null, TimeSpan.FromSeconds(10), default);
        Assert.True(reply.RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_path_is_refused_and_a_stale_socket_is_replaced()
    {
        await using (var server = await StartAsync())
        {
            var second = new ControlServer(SocketPath, new EchoHandler(), NullLogger.Instance);
            var error = Assert.Throws<IOException>(second.Start);
            Assert.Contains("already listening", error.Message, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(SocketPath));

        // A socket file left by a daemon that died: .NET removes a socket file it bound when the
        // socket is disposed, so move it away first.
        var elsewhere = Path.Combine(_directory, "dead.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(elsewhere));
            File.Move(elsewhere, SocketPath);
        }

        Assert.True(File.Exists(SocketPath));
        await using var restarted = await StartAsync();
        using var reply = await ControlClient.RequestAsync(SocketPath, "echo", null, TimeSpan.FromSeconds(10), default);
        Assert.True(reply.RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Client_reports_an_absent_daemon_clearly()
    {
        var error = await Assert.ThrowsAsync<ControlClientException>(() =>
            ControlClient.RequestAsync(SocketPath, "status", null, TimeSpan.FromSeconds(10), default));
        Assert.Contains("cannot reach the daemon", error.Message, StringComparison.Ordinal);
    }
}
