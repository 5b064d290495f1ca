using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;

namespace Sasync.Core.Control;

/// <summary>Sends one request to a daemon's control socket and returns its reply.</summary>
public static class ControlClient
{
    /// <summary>Where the daemon opens its control socket unless <c>--control</c> says otherwise.</summary>
    public const string DefaultPath = "/var/run/sasyncd-cs.sock";

    /// <summary>Sends <c>{"command": command, …arguments}</c> and returns the parsed reply object.</summary>
    /// <param name="path">The daemon's control socket.</param>
    /// <param name="command">The request's <c>command</c>, e.g. <c>status</c>.</param>
    /// <param name="writeArguments">Writes further properties into the request object; null for none.</param>
    /// <param name="timeout">How long connecting, sending and the answer may take together.</param>
    /// <param name="cancellationToken">Stops waiting; the cancellation surfaces as itself, not as a failure.</param>
    /// <returns>The reply line, <c>{"ok": …}</c> as <see cref="ControlReply"/> writes it; the caller disposes it.</returns>
    /// <exception cref="ControlClientException">
    /// The socket cannot be reached, the connection fails, no answer comes within <paramref name="timeout"/>, or the
    /// answer is not JSON; the message names <paramref name="path"/>.
    /// </exception>
    public static async Task<JsonDocument> RequestAsync(
        string path, string command, Action<Utf8JsonWriter>? writeArguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        Socket? connected = null;
        try
        {
            using var socket = connected = await ConnectAsync(path, deadline.Token).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await ControlLineProtocol.WriteLineAsync(
                stream,
                writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("command", command);
                    writeArguments?.Invoke(writer);
                    writer.WriteEndObject();
                },
                deadline.Token).ConfigureAwait(false);
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
            var line = await ControlLineProtocol.ReadLineAsync(reader, deadline.Token).ConfigureAwait(false)
                ?? throw new ControlClientException($"{path}: the daemon closed the connection without answering");
            await reader.CompleteAsync().ConfigureAwait(false);
            return JsonDocument.Parse(line);
        }
        catch (SocketException e)
        {
            throw new ControlClientException(connected is null
                ? $"cannot reach the daemon at {path}: {e.Message}"
                : $"{path}: the connection failed: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ControlClientException($"{path}: no answer within {timeout.TotalSeconds:0.#} s", e);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException)
        {
            throw new ControlClientException($"{path}: bad answer: {e.Message}", e);
        }
    }

    /// <summary>
    /// Connects, trying again while the daemon's backlog is full (a Unix socket refuses with EAGAIN then, where TCP
    /// would retry the SYN), until <paramref name="cancellationToken"/> gives up.
    /// </summary>
    private static async Task<Socket> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        var pause = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.TryAgain or SocketError.NoBufferSpaceAvailable)
            {
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMilliseconds(200).Ticks));
        }
    }
}

/// <summary>A control request got no usable answer: the daemon was unreachable, silent, or answered something other than JSON.</summary>
public sealed class ControlClientException : Exception
{
    /// <summary>A failure without a description.</summary>
    public ControlClientException() { }

    /// <summary>A failure described by <paramref name="message"/>.</summary>
    public ControlClientException(string message) : base(message) { }

    /// <summary>A failure described by <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public ControlClientException(string message, Exception innerException) : base(message, innerException) { }
}
