using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Sasync.Core.Control;

/// <summary>
/// Serves the control socket: a Unix stream socket where each client sends JSON request lines and
/// gets one reply line per request. The socket file is created mode 0600 and removed on dispose.
/// </summary>
public sealed partial class ControlServer : IAsyncDisposable
{
    private const int MaxClients = 16;

    private readonly string _path;
    private readonly IControlHandler _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _clientSlots = new(MaxClients);
    private Socket? _listener;
    private Socket? _handedListener;
    private Task _acceptLoop = Task.CompletedTask;

    public ControlServer(string path, IControlHandler handler, ILogger logger)
    {
        _path = path;
        _handler = handler;
        _logger = logger;
    }

    /// <summary>
    /// Serves a socket bound by another process (the privileged side of privilege separation,
    /// which also removes the file): <see cref="Start"/> does not bind, dispose does not delete.
    /// </summary>
    public ControlServer(Socket listener, string path, IControlHandler handler, ILogger logger)
        : this(path, handler, logger) => _handedListener = listener;

    public string Path => _path;

    /// <summary>Binds the socket (or takes the handed one); fails when another daemon already answers on it.</summary>
    public void Start()
    {
        if (_handedListener is { } handed)
        {
            _acceptLoop = AcceptLoopAsync(handed, _stop.Token);
            return;
        }

        var listener = Bind(_path);
        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener, _stop.Token);
    }

    /// <summary>Creates the socket file, mode 0600, and listens on it; fails when another daemon already answers on it.</summary>
    public static Socket Bind(string path)
    {
        RemoveStaleSocket(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            listener.Listen(MaxClients);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return listener;
    }

    private static void RemoveStaleSocket(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            // Nobody listens: a socket left behind by a daemon that died. Sockets have no size;
            // never delete a regular file that happens to sit at this path.
            if (new FileInfo(path).Length == 0)
            {
                File.Delete(path);
                return;
            }

            throw new IOException($"{path} exists and is not a socket");
        }

        throw new IOException($"another daemon is already listening on {path}");
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken cancellationToken)
    {
        var clients = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await _clientSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    _clientSlots.Release();
                    throw;
                }

                clients.RemoveAll(t => t.IsCompleted);
                clients.Add(ServeAsync(client, cancellationToken));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException e) when (cancellationToken.IsCancellationRequested || e.SocketErrorCode == SocketError.OperationAborted)
        {
        }

        await Task.WhenAll(clients).ConfigureAwait(false);
    }

    private async Task ServeAsync(Socket client, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: true);
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
            while (await ControlLineProtocol.ReadLineAsync(reader, cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                var reply = ControlLineProtocol.TryParseRequest(line, out var request, out var error)
                    ? await HandleSafelyAsync(request!, cancellationToken).ConfigureAwait(false)
                    : ControlReply.Failure(error);
                await ControlLineProtocol.WriteLineAsync(stream, reply.WriteTo, cancellationToken).ConfigureAwait(false);
            }

            await reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException or OperationCanceledException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                LogClientDropped(_logger, e.Message);
            }
        }
        finally
        {
            _clientSlots.Release();
        }
    }

    private async ValueTask<ControlReply> HandleSafelyAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await _handler.HandleAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogHandlerFailed(_logger, request.Command, e);
            return ControlReply.Failure($"{request.Command}: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        _handedListener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        if (_listener is not null)
        {
            File.Delete(_path);
        }

        _stop.Dispose();
        _clientSlots.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "control client dropped: {Reason}")]
    private static partial void LogClientDropped(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "control command {Command} failed")]
    private static partial void LogHandlerFailed(ILogger logger, string command, Exception exception);
}
