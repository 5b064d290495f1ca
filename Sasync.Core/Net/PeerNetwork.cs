using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sasync.Core.Wire;

namespace Sasync.Core.Net;

/// <summary>
/// The TCP side of a node: listens for peers, dials every configured peer with backoff, keeps one
/// session per peer, refuses strangers, and reports sessions and frames through one callback.
/// Thread-safe; <see cref="Send"/>, <see cref="DialNow"/> and <see cref="Close"/> never block.
/// </summary>
public sealed partial class PeerNetwork : INodeNetwork, IAsyncDisposable
{
    private readonly PeerNetworkOptions _options;
    private readonly Func<IFrameCodecFactory> _codecs;
    private readonly Func<PeerNetworkEvent, ValueTask> _deliver;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PeerSlot> _slots = new(StringComparer.Ordinal);
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _loops = [];
    private long _nextLinkId;
    private long _refused;
    private long _slowDrops;

    public PeerNetwork(
        PeerNetworkOptions options,
        Func<IFrameCodecFactory> codecs,
        Func<PeerNetworkEvent, ValueTask> deliver,
        TimeProvider time,
        ILogger logger)
    {
        _options = options;
        _codecs = codecs;
        _deliver = deliver;
        _time = time;
        _logger = logger;
    }

    /// <summary>Connections refused because they came from no configured peer.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refused);

    /// <summary>Sessions dropped because the peer did not read fast enough.</summary>
    public long SlowPeerDrops => Interlocked.Read(ref _slowDrops);

    /// <summary>The local endpoints actually listened on.</summary>
    public ImmutableArray<IPEndPoint> ListenEndPoints { get; private set; } = [];

    /// <summary>Starts listening (throws when a listen address cannot be bound) and dialling.</summary>
    public void Start()
    {
        // Know the peers before the first connection can be accepted.
        SetPeers(_options.Peers);
        // Sockets handed over by a privileged process, or bound here.
        var listeners = _options.ListenSockets.IsDefaultOrEmpty ? PeerListeners.Bind(_options) : _options.ListenSockets;
        var bound = ImmutableArray.CreateBuilder<IPEndPoint>();
        foreach (var listener in listeners)
        {
            _listeners.Add(listener);
            bound.Add((IPEndPoint)listener.LocalEndPoint!);
            _loops.Add(Task.Run(() => AcceptLoopAsync(listener, _stop.Token)));
        }

        ListenEndPoints = bound.ToImmutable();
    }

    /// <summary>Replaces the set of peers (config reload): new ones are dialled, removed ones closed.</summary>
    public void SetPeers(ImmutableArray<string> peers)
    {
        List<PeerSlot> removed = [];
        lock (_lock)
        {
            foreach (var name in peers)
            {
                if (!_slots.ContainsKey(name))
                {
                    var slot = new PeerSlot(name, new ReconnectBackoff(_options.InitialBackoff, _options.MaxBackoff));
                    _slots.Add(name, slot);
                    _loops.Add(Task.Run(() => DialLoopAsync(slot, _stop.Token)));
                }
            }

            foreach (var (name, slot) in _slots)
            {
                if (!peers.Contains(name))
                {
                    removed.Add(slot);
                }
            }

            foreach (var slot in removed)
            {
                _slots.Remove(slot.Name);
            }
        }

        foreach (var slot in removed)
        {
            slot.Retired.Cancel();
            CloseActive(slot, "peer removed from the configuration");
        }
    }

    /// <summary>
    /// Queues a message for a peer's current session, to be framed and written by that session;
    /// false when it has none or was just dropped for being slow. The plaintext must not change afterwards.
    /// </summary>
    public bool Send(string peer, WireMessageType type, ReadOnlyMemory<byte> plaintext) => Send(peer, null, new OutgoingFrame(type, plaintext));

    /// <summary>
    /// Queues a message for session <paramref name="linkId"/> of a peer only: a message meant for a
    /// session that has ended is dropped instead of reaching its successor before that one's handshake.
    /// </summary>
    public bool Send(string peer, long linkId, WireMessageType type, ReadOnlyMemory<byte> plaintext) =>
        Send(peer, (long?)linkId, new OutgoingFrame(type, plaintext));

    private bool Send(string peer, long? linkId, OutgoingFrame frame)
    {
        PeerSlot? slot;
        PeerLink? link;
        lock (_lock)
        {
            slot = _slots.GetValueOrDefault(peer);
            link = slot?.Active;
        }

        if (slot is null || link is null || (linkId is { } id && link.Id != id))
        {
            return false;
        }

        if (link.TrySend(frame))
        {
            return true;
        }

        Interlocked.Increment(ref _slowDrops);
        CloseActive(slot, $"peer cannot keep up ({link.QueuedBytes} bytes queued)", link);
        return false;
    }

    /// <summary>
    /// Runs <paramref name="drained"/> once session <paramref name="linkId"/> of a peer has written most
    /// of what is queued for it, or when it closes; at once when that session is already gone.
    /// </summary>
    public void NotifyWhenDrained(string peer, long linkId, Action drained)
    {
        ArgumentNullException.ThrowIfNull(drained);
        PeerLink? link;
        lock (_lock)
        {
            link = _slots.GetValueOrDefault(peer)?.Active;
        }

        if (link is not null && link.Id == linkId)
        {
            link.NotifyWhenDrained(drained);
        }
        else
        {
            drained();
        }
    }

    /// <summary>Bytes waiting to be written to a peer (0 when it has no session).</summary>
    public long QueuedBytes(string peer)
    {
        lock (_lock)
        {
            return _slots.GetValueOrDefault(peer)?.Active?.QueuedBytes ?? 0;
        }
    }

    /// <summary>Dials every peer without a session at once, skipping the backoff.</summary>
    public void DialNow()
    {
        lock (_lock)
        {
            foreach (var slot in _slots.Values)
            {
                slot.Backoff.Reset();
                slot.Wake.Writer.TryWrite(true);
            }
        }
    }

    /// <summary>Closes the session with a peer; it will be dialled again after the backoff.</summary>
    public void Close(string peer, string reason)
    {
        PeerSlot? slot;
        lock (_lock)
        {
            slot = _slots.GetValueOrDefault(peer);
        }

        if (slot is not null)
        {
            CloseActive(slot, reason);
        }
    }

    /// <summary>Closes the slot's session, or only <paramref name="expected"/> when given and still active.</summary>
    private void CloseActive(PeerSlot slot, string reason, PeerLink? expected = null)
    {
        PeerLink? link;
        lock (_lock)
        {
            link = slot.Active;
            if (expected is not null && link != expected)
            {
                return;
            }

            slot.Active = null;
        }

        if (link is not null)
        {
            LogLinkDown(_logger, slot.Name, reason);
            slot.Wake.Writer.TryWrite(true);
            // Never await the node's inbox from here: the node itself may be the caller.
            _ = Task.Run(async () =>
            {
                await link.DisposeAsync().ConfigureAwait(false);
                await _deliver(new PeerLinkDown(slot.Name, link.Id, reason)).ConfigureAwait(false);
            });
        }
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                LogAcceptFailed(_logger, e.Message);
                continue;
            }

            var remote = Normalize(((IPEndPoint)socket.RemoteEndPoint!).Address);
            PeerSlot? slot;
            lock (_lock)
            {
                slot = _slots.Values.FirstOrDefault(s => s.Addresses.Contains(remote));
            }

            if (slot is null)
            {
                Interlocked.Increment(ref _refused);
                LogRefused(_logger, remote);
                socket.Dispose();
                continue;
            }

            try
            {
                await RegisterAsync(slot, socket, outbound: false, dialler: remote).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The owner stopped taking events: it is shutting down, and DisposeAsync closes the session.
                return;
            }
        }
    }

    private async Task DialLoopAsync(PeerSlot slot, CancellationToken stop)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stop, slot.Retired.Token);
        var cancellationToken = both.Token;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                bool connected;
                lock (_lock)
                {
                    connected = slot.Active is not null;
                }

                if (connected)
                {
                    await slot.Wake.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (await TryDialAsync(slot, cancellationToken).ConfigureAwait(false))
                {
                    slot.Backoff.Reset();
                    continue;
                }

                var delay = slot.Backoff.Next();
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var woken = slot.Wake.Reader.ReadAsync(wait.Token).AsTask();
                var elapsed = Task.Delay(delay, _time, wait.Token);
                await Task.WhenAny(woken, elapsed).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // A connect that fails because we are stopping is no error.
                return;
            }
        }
    }

    private async Task<bool> TryDialAsync(PeerSlot slot, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(slot.Name, out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(slot.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            LogResolveFailed(_logger, slot.Name, e.Message);
            return false;
        }

        addresses = [.. addresses.Select(Normalize)];
        lock (_lock)
        {
            slot.Addresses = addresses;
        }

        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (_options.BindAddress is { } bind && bind.AddressFamily == address.AddressFamily)
                {
                    socket.Bind(new IPEndPoint(bind, 0));
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.ConnectTimeout);
                await socket.ConnectAsync(new IPEndPoint(address, _options.Port), timeout.Token).ConfigureAwait(false);
            }
            // A refused connect can race with shutdown: it is still only a failed dial, never the loop's end.
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                LogDialFailed(_logger, slot.Name, address, e.Message);
                socket.Dispose();
                continue;
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            // From here the session owns the socket, even if reporting it fails.
            var local = Normalize(((IPEndPoint)socket.LocalEndPoint!).Address);
            await RegisterAsync(slot, socket, outbound: true, dialler: local).ConfigureAwait(false);
            return true;
        }

        return false;
    }

    private async Task RegisterAsync(PeerSlot slot, Socket socket, bool outbound, IPAddress dialler)
    {
        var now = _time.GetUtcNow();
        PeerLink? link;
        try
        {
            socket.NoDelay = true;
            link = new PeerLink(slot.Name, Interlocked.Increment(ref _nextLinkId), socket, outbound, dialler, now, _options.MaxQueuedBytesPerPeer, _options.DrainedBytes);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The peer hung up between the connect (or accept) and now: a failed attempt, nothing more.
            LogLinkDown(_logger, slot.Name, e.Message);
            socket.Dispose();
            return;
        }

        PeerLink? replaced = null;
        lock (_lock)
        {
            if (slot.Active is { } existing)
            {
                if (!DuplicateLinkRule.NewReplacesExisting(existing.Dialler, now - existing.OpenedAt, dialler))
                {
                    link = null;
                }
                else
                {
                    replaced = existing;
                }
            }

            if (link is not null)
            {
                slot.Active = link;
            }
        }

        if (link is null)
        {
            LogDuplicateDropped(_logger, slot.Name);
            socket.Dispose();
            return;
        }

        if (replaced is not null)
        {
            LogLinkDown(_logger, slot.Name, "replaced by a newer connection");
            await replaced.DisposeAsync().ConfigureAwait(false);
            await _deliver(new PeerLinkDown(slot.Name, replaced.Id, "replaced by a newer connection", Routine: true)).ConfigureAwait(false);
        }

        LogLinkUp(_logger, slot.Name, outbound ? "dialled" : "accepted", link.Remote);
        await _deliver(new PeerLinkUp(slot.Name, link.Id, outbound, link.Remote)).ConfigureAwait(false);
        link.Start(_codecs(), _deliver, (l, reason) =>
        {
            bool active;
            lock (_lock)
            {
                active = slot.Active == l;
            }

            if (active)
            {
                CloseActive(slot, reason);
            }
        });
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        Task[] loops;
        lock (_lock)
        {
            loops = [.. _loops];
        }

        // Sessions are collected after the loops ended, so one registered while stopping is closed too.
        await Task.WhenAll(loops).ConfigureAwait(false);
        List<PeerLink> links = [];
        lock (_lock)
        {
            foreach (var slot in _slots.Values)
            {
                if (slot.Active is { } link)
                {
                    links.Add(link);
                    slot.Active = null;
                }
            }
        }

        foreach (var link in links)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var slot in _slots.Values)
        {
            slot.Retired.Dispose();
        }

        _stop.Dispose();
    }

    private sealed class PeerSlot(string name, ReconnectBackoff backoff)
    {
        public string Name { get; } = name;

        public IPAddress[] Addresses { get; set; } = IPAddress.TryParse(name, out var literal) ? [Normalize(literal)] : [];

        public PeerLink? Active { get; set; }

        public ReconnectBackoff Backoff { get; } = backoff;

        public Channel<bool> Wake { get; } = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

        public CancellationTokenSource Retired { get; } = new();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "peer {Peer}: session up ({How}, {Remote})")]
    private static partial void LogLinkUp(ILogger logger, string peer, string how, IPEndPoint remote);

    [LoggerMessage(Level = LogLevel.Information, Message = "peer {Peer}: session down: {Reason}")]
    private static partial void LogLinkDown(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "refusing connection from {Remote}: not a configured peer")]
    private static partial void LogRefused(ILogger logger, IPAddress remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "peer {Peer}: dropped a duplicate session")]
    private static partial void LogDuplicateDropped(ILogger logger, string peer);

    [LoggerMessage(Level = LogLevel.Debug, Message = "peer {Peer}: connect to {Address} failed: {Reason}")]
    private static partial void LogDialFailed(ILogger logger, string peer, IPAddress address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "peer {Peer}: cannot resolve: {Reason}")]
    private static partial void LogResolveFailed(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "accept failed: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string reason);
}
