using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Sasync.Tests.Control;

/// <summary>A control client that sends whatever bytes a test wants and reads reply lines, or the end of the stream.</summary>
internal sealed class RawControlClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly List<byte> _pending = [];

    public static async Task<RawControlClient> ConnectAsync(string path)
    {
        var client = new RawControlClient();
        await client._socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return client;
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes);

    /// <summary>Ends what we send; the server still answers what came before.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>The next reply line parsed, or null when the server closed the connection first.</summary>
    public async Task<JsonDocument?> ReadReplyAsync()
    {
        var buffer = new byte[4096];
        while (true)
        {
            var newline = _pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = _pending.GetRange(0, newline).ToArray();
                _pending.RemoveRange(0, newline + 1);
                return JsonDocument.Parse(line);
            }

            int read;
            try
            {
                read = await _socket.ReceiveAsync(buffer);
            }
            catch (SocketException)
            {
                read = 0;
            }

            if (read == 0)
            {
                return null;
            }

            _pending.AddRange(buffer.AsSpan(0, read));
        }
    }

    /// <summary>Reads until the server closes its end; the replies that came before the close.</summary>
    public async Task<List<JsonDocument>> RepliesUntilCloseAsync()
    {
        var replies = new List<JsonDocument>();
        while (await ReadReplyAsync() is { } reply)
        {
            replies.Add(reply);
        }

        return replies;
    }

    public void Dispose() => _socket.Dispose();
}
