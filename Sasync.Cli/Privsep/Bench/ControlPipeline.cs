using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Sasync.Core.Control;

namespace Sasync.Cli.Privsep.Bench;

/// <summary>
/// Writes many <c>sim.inject</c> requests to a daemon's control socket without waiting for each reply
/// (a control session answers its lines in order), over a few connections at once, as an IKE daemon
/// writing a burst of SAs would: the benchmark's load, from outside the daemon.
/// </summary>
internal static class ControlPipeline
{
    private const int BlockBytes = 64 * 1024;

    /// <summary>Injects every message; returns how many the kernel refused and the first refusal.</summary>
    public static async Task<(int Refused, string? FirstError)> InjectAsync(string controlPath, IReadOnlyList<byte[]> messages, int connections, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var shares = Enumerable.Range(0, connections).Select(c => messages.Where((_, i) => i % connections == c).ToList()).Where(s => s.Count > 0).ToList();
        var results = await Task.WhenAll(shares.Select(share => InjectOneConnectionAsync(controlPath, share, cancellationToken))).ConfigureAwait(false);
        return (results.Sum(r => r.Refused), results.Select(r => r.FirstError).FirstOrDefault(e => e is not null));
    }

    private static async Task<(int Refused, string? FirstError)> InjectOneConnectionAsync(string controlPath, List<byte[]> messages, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(controlPath), cancellationToken).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var writing = WriteAllAsync(stream, messages, cancellationToken);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        var refused = 0;
        string? firstError = null;
        try
        {
            for (var i = 0; i < messages.Count; i++)
            {
                var line = await ControlLineProtocol.ReadLineAsync(reader, cancellationToken).ConfigureAwait(false)
                    ?? throw new IOException($"{controlPath}: the daemon closed the connection after {i} of {messages.Count} replies");
                using var reply = JsonDocument.Parse(line);
                if (!reply.RootElement.GetProperty("ok").GetBoolean())
                {
                    refused++;
                    firstError ??= reply.RootElement.GetProperty("error").GetString();
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        await writing.ConfigureAwait(false);
        return (refused, firstError);
    }

    /// <summary>The request lines, gathered into blocks so a burst costs few system calls.</summary>
    private static async Task WriteAllAsync(Stream stream, List<byte[]> messages, CancellationToken cancellationToken)
    {
        var block = new MemoryStream(BlockBytes + 1024);
        foreach (var message in messages)
        {
            block.Write("{\"command\":\"sim.inject\",\"hex\":\""u8);
            block.Write(Encoding.ASCII.GetBytes(Convert.ToHexString(message)));
            block.Write("\"}\n"u8);
            if (block.Length >= BlockBytes)
            {
                await stream.WriteAsync(block.GetBuffer().AsMemory(0, (int)block.Length), cancellationToken).ConfigureAwait(false);
                block.SetLength(0);
            }
        }

        await stream.WriteAsync(block.GetBuffer().AsMemory(0, (int)block.Length), cancellationToken).ConfigureAwait(false);
    }
}
