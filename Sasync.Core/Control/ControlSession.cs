using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Sasync.Core.Control;

/// <summary>
/// One control client: reads request lines, answers each with one reply line, and ends with a log line whenever
/// it closes the connection for a reason of its own (idle, a request too slow or too long, a client that does not
/// take its replies). Nothing a client sends can make it throw.
/// </summary>
internal sealed partial class ControlSession(Socket socket, IControlHandler handler, ControlServerOptions options, ILogger logger)
{
    private enum LineKind
    {
        Line,
        End,
        Idle,
        TooSlow,
        TooLong,
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true));
        try
        {
            while (true)
            {
                var (kind, line) = await ReadLineAsync(reader, stopping).ConfigureAwait(false);
                switch (kind)
                {
                    case LineKind.End:
                        return;
                    case LineKind.Idle:
                        LogClosed(logger, $"idle for {Seconds(options.IdleTimeout)}");
                        return;
                    case LineKind.TooSlow:
                        await TryReplyAsync(stream, ControlReply.Failure($"the request line was not completed within {Seconds(options.RequestTimeout)}"), stopping).ConfigureAwait(false);
                        LogClosed(logger, $"a request line not completed within {Seconds(options.RequestTimeout)}");
                        return;
                    case LineKind.TooLong:
                        await TryReplyAsync(stream, ControlReply.Failure($"the request line is longer than {ControlLineProtocol.MaxLineBytes} bytes"), stopping).ConfigureAwait(false);
                        LogClosed(logger, $"a request line longer than {ControlLineProtocol.MaxLineBytes} bytes");
                        return;
                }

                if (line.Length == 0 || line.AsSpan().IndexOfAnyExcept(" \t\r"u8) < 0)
                {
                    continue;
                }

                var reply = ControlLineProtocol.TryParseRequest(line, out var request, out var error)
                    ? await HandleAsync(request!, stopping).ConfigureAwait(false)
                    : ControlReply.Failure(error);
                if (!await TryReplyAsync(stream, reply, stopping).ConfigureAwait(false))
                {
                    LogClosed(logger, $"the reply was not taken within {Seconds(options.RequestTimeout)}");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            LogClosed(logger, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug of ours, not the client's: the connection ends, the daemon does not.
            LogFailed(logger, e);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Answers the client with <paramref name="reply"/> before reading anything, and closes.</summary>
    public async Task RefuseAsync(ControlReply reply, CancellationToken stopping)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                await TryReplyAsync(stream, reply, stopping).ConfigureAwait(false);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // Refused either way; the server logs the refusal.
            }
        }
    }

    /// <summary>
    /// The next line without its newline (or what came before the end of the stream). Waiting for its first byte
    /// is bounded by the idle timeout, the rest of it by the request timeout; the search for the newline never
    /// looks at a byte twice.
    /// </summary>
    private async Task<(LineKind Kind, byte[] Line)> ReadLineAsync(PipeReader reader, CancellationToken stopping)
    {
        var started = false;
        var searched = 0L;
        var timer = new CancellationTokenSource(options.IdleTimeout, options.TimeProvider);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timer.Token);
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await reader.ReadAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timer.IsCancellationRequested && !stopping.IsCancellationRequested)
                {
                    return (started ? LineKind.TooSlow : LineKind.Idle, []);
                }

                var buffer = result.Buffer;
                if (buffer.Slice(searched).PositionOf((byte)'\n') is { } end)
                {
                    var line = buffer.Slice(0, end).ToArray();
                    reader.AdvanceTo(buffer.GetPosition(1, end));
                    return (LineKind.Line, line);
                }

                if (buffer.Length > ControlLineProtocol.MaxLineBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    return (LineKind.TooLong, []);
                }

                if (result.IsCompleted)
                {
                    var rest = buffer.ToArray();
                    reader.AdvanceTo(buffer.End);
                    return (rest.Length == 0 ? LineKind.End : LineKind.Line, rest);
                }

                searched = buffer.Length;
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (!started && searched > 0)
                {
                    // The request has begun: from now on it has the request timeout to end its line.
                    started = true;
                    linked.Dispose();
                    timer.Dispose();
                    timer = new CancellationTokenSource(options.RequestTimeout, options.TimeProvider);
                    linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timer.Token);
                }
            }
        }
        finally
        {
            linked.Dispose();
            timer.Dispose();
        }
    }

    private async ValueTask<ControlReply> HandleAsync(ControlRequest request, CancellationToken stopping)
    {
        using var timer = new CancellationTokenSource(options.RequestTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timer.Token);
        try
        {
            return await handler.HandleAsync(request, linked.Token).AsTask().WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            LogHandlerLate(logger, request.Command, Seconds(options.RequestTimeout));
            return ControlReply.Failure($"{request.Command}: no answer within {Seconds(options.RequestTimeout)}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogHandlerFailed(logger, request.Command, e);
            return ControlReply.Failure($"{request.Command}: {e.Message}");
        }
    }

    /// <summary>Writes the reply within the request timeout; false when the client did not take it in time.</summary>
    private async Task<bool> TryReplyAsync(NetworkStream stream, ControlReply reply, CancellationToken stopping)
    {
        var bytes = Serialize(reply);
        using var timer = new CancellationTokenSource(options.RequestTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timer.Token);
        try
        {
            await stream.WriteAsync(bytes, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The reply line; a result that cannot be written (a handler's bug, text that is not Unicode) becomes an error reply.</summary>
    private ReadOnlyMemory<byte> Serialize(ControlReply reply)
    {
        try
        {
            return Write(reply);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or JsonException)
        {
            LogReplyFailed(logger, e);
            return Write(ControlReply.Failure($"the reply could not be written: {e.GetType().Name}"));
        }

        static ReadOnlyMemory<byte> Write(ControlReply reply)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                reply.WriteTo(writer);
            }

            buffer.Write("\n"u8);
            return buffer.WrittenMemory;
        }
    }

    private static string Seconds(TimeSpan time) => $"{time.TotalSeconds:0.###} s";

    [LoggerMessage(Level = LogLevel.Information, Message = "control client closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "control command {Command} gave no answer within {Timeout}")]
    private static partial void LogHandlerLate(ILogger logger, string command, string timeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "control command {Command} failed")]
    private static partial void LogHandlerFailed(ILogger logger, string command, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "control client dropped after an internal error")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "control reply could not be written")]
    private static partial void LogReplyFailed(ILogger logger, Exception exception);
}
