using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Sasync.Core.Control;

/// <summary>
/// Serves the control socket: a Unix stream socket where each client sends JSON request lines and
/// gets one reply line per request. The socket file is created mode 0600 and removed on dispose.
/// Every connection is accepted at once (the backlog is the system's maximum, so bursts wait in the
/// kernel, not in a failed connect); past <see cref="ControlServerOptions.MaxClients"/> a client gets a
/// <c>too many clients</c> error reply and is closed instead of waiting for a slot, and idle or slow
/// clients are closed on their timeouts, so no client can lock the others out.
/// </summary>
public sealed partial class ControlServer : IAsyncDisposable
{
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RefusalLogInterval = TimeSpan.FromSeconds(10);

    private readonly string _path;
    private readonly IControlHandler _handler;
    private readonly ILogger _logger;
    private readonly ControlServerOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Task?> _clients = [];
    private long _nextClient;
    private int _served;
    private long _refused;
    private long _refusedAtLastLog;
    private DateTimeOffset _lastRefusalLog = DateTimeOffset.MinValue;
    private Socket? _listener;
    private Socket? _handedListener;
    private Task _acceptLoop = Task.CompletedTask;

    /// <summary>A server for the Unix socket at <paramref name="path"/>, created (mode 0600) by <see cref="Start"/>.</summary>
    /// <param name="path">Where the socket lives; a stale socket file there is replaced.</param>
    /// <param name="handler">Answers each request; called once at a time per client, never on the accept loop.</param>
    /// <param name="logger">Refusals, timeouts and closes.</param>
    /// <param name="options">Client bound and timeouts; the defaults when null.</param>
    public ControlServer(string path, IControlHandler handler, ILogger logger, ControlServerOptions? options = null)
    {
        _path = path;
        _handler = handler;
        _logger = logger;
        _options = options ?? new ControlServerOptions();
    }

    /// <summary>
    /// Serves a socket bound by another process (the privileged side of privilege separation,
    /// which also removes the file): <see cref="Start"/> does not bind, dispose does not delete.
    /// </summary>
    public ControlServer(Socket listener, string path, IControlHandler handler, ILogger logger, ControlServerOptions? options = null)
        : this(path, handler, logger, options) => _handedListener = listener;

    /// <summary>The socket's path.</summary>
    public string Path => _path;

    /// <summary>Clients being served now.</summary>
    public int ConnectedClients
    {
        get
        {
            lock (_gate)
            {
                return _served;
            }
        }
    }

    /// <summary>Clients answered <c>too many clients</c> since the start.</summary>
    public long RefusedClients => Interlocked.Read(ref _refused);

    /// <summary>Binds the socket (or takes the handed one); fails when another daemon already answers on it.</summary>
    public void Start()
    {
        if (_handedListener is { } handed)
        {
            _acceptLoop = AcceptLoopAsync(handed, _stop.Token);
            return;
        }

        var listener = Bind(_path, _options.Backlog);
        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener, _stop.Token);
    }

    /// <summary>Creates the socket file, mode 0600, and listens on it; fails when another daemon already answers on it.</summary>
    public static Socket Bind(string path, int backlog)
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

            listener.Listen(backlog);
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
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException e) when (cancellationToken.IsCancellationRequested || e.SocketErrorCode == SocketError.OperationAborted)
            {
                break;
            }
            catch (SocketException e)
            {
                // Out of descriptors or memory for a moment: the listener is fine, so try again shortly.
                LogAcceptFailed(_logger, e.Message);
                try
                {
                    await Task.Delay(AcceptRetryDelay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            Admit(client, cancellationToken);
        }

        Task[] remaining;
        lock (_gate)
        {
            remaining = [.. _clients.Values.OfType<Task>()];
        }

        await Task.WhenAll(remaining).ConfigureAwait(false);
    }

    private void Admit(Socket client, CancellationToken cancellationToken)
    {
        long id;
        bool admitted;
        lock (_gate)
        {
            admitted = _served < _options.MaxClients;
            if (admitted)
            {
                _served++;
            }

            id = _nextClient++;
            _clients[id] = null;
        }

        var session = new ControlSession(client, _handler, _options, _logger);
        var task = admitted ? ServeAsync(id, session, cancellationToken) : RefuseAsync(id, session, cancellationToken);
        lock (_gate)
        {
            // The task removes itself when it ends, possibly before this line.
            if (_clients.ContainsKey(id))
            {
                _clients[id] = task;
            }
        }
    }

    private async Task ServeAsync(long id, ControlSession session, CancellationToken cancellationToken)
    {
        try
        {
            await session.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _served--;
                _clients.Remove(id);
            }
        }
    }

    private async Task RefuseAsync(long id, ControlSession session, CancellationToken cancellationToken)
    {
        try
        {
            var refused = Interlocked.Increment(ref _refused);
            var now = _options.TimeProvider.GetUtcNow();
            bool log;
            long since;
            lock (_gate)
            {
                // One line per interval while a flood lasts, with the number refused meanwhile.
                log = now - _lastRefusalLog >= RefusalLogInterval;
                since = refused - _refusedAtLastLog;
                if (log)
                {
                    _lastRefusalLog = now;
                    _refusedAtLastLog = refused;
                }
            }

            if (log)
            {
                LogRefused(_logger, _options.MaxClients, since);
            }

            await session.RefuseAsync(
                ControlReply.Failure($"too many clients: {_options.MaxClients} are connected; try again later"), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _clients.Remove(id);
            }
        }
    }

    /// <summary>Stops accepting, closes every client and removes the socket file it created.</summary>
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
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "control socket: accept failed, retrying: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "control socket: {MaxClients} clients connected; refused {Refused} more with \"too many clients\"")]
    private static partial void LogRefused(ILogger logger, int maxClients, long refused);
}
