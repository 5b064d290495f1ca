using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sasync.Core.Sessions;
using Sasync.Core.Wire;

namespace Sasync.Core.Net;

/// <summary>
/// The TCP side of a node: listens for peers (exclusively), dials them, refuses strangers, and carries out
/// what each peer's <see cref="PeerSessionRules"/> decide: which connection carries the session, which to
/// close, when to dial again. Reports sessions and frames through one callback, in order per peer.
/// Thread-safe; <see cref="Send"/>, <see cref="DialNow"/> and <see cref="Close"/> never block.
/// </summary>
public sealed partial class PeerNetwork : INodeNetwork, IAsyncDisposable
{
    private readonly PeerNetworkOptions _options;
    private readonly Func<IFrameCodecFactory> _codecs;
    private readonly Func<PeerNetworkEvent, ValueTask> _deliver;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HelloMessage _hello;
    private readonly CancellationTokenSource _stop = new();
    // Guards the slots and every call into their rules, which are single-threaded.
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PeerSlot> _slots = new(StringComparer.Ordinal);
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _loops = [];
    // Up to the node's inbox (SyncNode's 1024 items) of batches in flight are used again.
    private const int SpareFrameBatches = 1024;

    private long _nextLinkId;
    private long _refused;
    private long _slowDrops;

    /// <summary>A network for the configured peers; nothing is bound or dialled before <see cref="Start"/>.</summary>
    /// <param name="options">Where to listen, whom to dial, the session rules' options.</param>
    /// <param name="codecs">The frame codec for each new session (so a reloaded key applies from the next one).</param>
    /// <param name="deliver">Takes the events for the node, in order per peer; its backpressure slows the reads.</param>
    /// <param name="time">Deadlines of the session rules.</param>
    /// <param name="logger">Session and backoff lines.</param>
    public PeerNetwork(
        PeerNetworkOptions options,
        Func<IFrameCodecFactory> codecs,
        Func<PeerNetworkEvent, ValueTask> deliver,
        TimeProvider time,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _codecs = codecs;
        _deliver = deliver;
        _time = time;
        _logger = logger;
        // One instance id for the life of this network: a peer that sees a new one knows we restarted.
        _hello = new HelloMessage(HelloMessage.CurrentVersion, 0, options.InstanceId ?? NewInstanceId());
    }

    /// <summary>Connections refused because they came from no configured peer.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refused);

    /// <summary>Sessions dropped because the peer did not read fast enough.</summary>
    public long SlowPeerDrops => Interlocked.Read(ref _slowDrops);

    /// <summary>The local endpoints actually listened on.</summary>
    public ImmutableArray<IPEndPoint> ListenEndPoints { get; private set; } = [];

    /// <summary>The instance id our HELLO carries.</summary>
    public UInt128 InstanceId => _hello.InstanceId;

    /// <summary>
    /// Starts listening and dialling. Throws <see cref="ListenFailedException"/> when a listen address
    /// cannot be bound, also when another socket holds it (the listener never shares its port).
    /// </summary>
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
                    var rules = new PeerSessionRules(name, _hello, _options.Sessions, _time, Random.Shared);
                    var slot = new PeerSlot(name, rules);
                    _slots.Add(name, slot);
                    _loops.Add(Task.Run(() => SlotLoopAsync(slot, _stop.Token)));
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
                slot.Rules.Retire("peer removed from the configuration", slot.Decisions);
                Apply(slot);
            }
        }

        foreach (var slot in removed)
        {
            slot.Retired.Cancel();
            DrainLater(slot);
        }
    }

    /// <inheritdoc/>
    public bool CopiesPlaintext => true;

    /// <summary>
    /// Queues a message for session <paramref name="linkId"/> of a peer only: a message meant for a
    /// session that has ended is dropped instead of reaching its successor before that one's handshake.
    /// False when that session is gone or was just dropped for being slow. The session queues a copy of the plaintext:
    /// the caller's buffer is free again once this returns.
    /// </summary>
    public bool Send(string peer, long linkId, WireMessageType type, ReadOnlyMemory<byte> plaintext)
    {
        PeerSlot? slot;
        PeerLink? link;
        lock (_lock)
        {
            slot = _slots.GetValueOrDefault(peer);
            link = slot?.Carrier;
            if (slot is null || link is null || link.Id != linkId)
            {
                return false;
            }

            if (type == WireMessageType.Control)
            {
                slot.Rules.OnSent(link.Id, type, plaintext.Span);
            }

            if (link.TrySend(new OutgoingFrame(type, plaintext)))
            {
                return true;
            }
        }

        Interlocked.Increment(ref _slowDrops);
        CloseLink(slot, link, $"peer cannot keep up ({link.QueuedBytes} bytes queued)");
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
            link = _slots.GetValueOrDefault(peer)?.Carrier;
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

    /// <summary>Bytes waiting to be written to a peer's session (0 when it has none).</summary>
    public long QueuedBytes(string peer)
    {
        lock (_lock)
        {
            return _slots.GetValueOrDefault(peer)?.Carrier?.QueuedBytes ?? 0;
        }
    }

    /// <summary>Dials every peer without a connection at once, skipping the wait (the failure count stays).</summary>
    public void DialNow()
    {
        lock (_lock)
        {
            foreach (var slot in _slots.Values)
            {
                slot.Rules.DialNow();
                slot.Wake.Writer.TryWrite(true);
            }
        }
    }

    /// <summary>Closes every connection with a peer; it is dialled again after the backoff.</summary>
    public void Close(string peer, string reason)
    {
        List<PeerLink> links;
        PeerSlot? slot;
        lock (_lock)
        {
            slot = _slots.GetValueOrDefault(peer);
            links = slot is null ? [] : [.. slot.Links.Values];
        }

        foreach (var link in links)
        {
            CloseLink(slot!, link, reason);
        }
    }

    /// <summary>Closes every connection with a peer and dials it again at once, without counting a failed attempt.</summary>
    public void Restart(string peer, string reason)
    {
        PeerSlot? slot;
        lock (_lock)
        {
            slot = _slots.GetValueOrDefault(peer);
            if (slot is null)
            {
                return;
            }

            slot.Rules.Restart(reason, slot.Decisions);
            Apply(slot);
        }

        DrainLater(slot);
    }

    /// <summary>Each configured peer's failed attempts and next dial time, for status.</summary>
    public ImmutableDictionary<string, PeerSessionStatus> SessionStatus()
    {
        lock (_lock)
        {
            return _slots.Values.ToImmutableDictionary(
                s => s.Name,
                s => new PeerSessionStatus(s.Rules.FailedAttempts, s.Rules.NextAttemptAt, s.Rules.Kind, s.Rules.OpenConnections, s.Rules.Channel),
                StringComparer.Ordinal);
        }
    }

    /// <summary>Closes one connection at our side's request and tells the rules it ended.</summary>
    private void CloseLink(PeerSlot slot, PeerLink link, string reason)
    {
        lock (_lock)
        {
            if (!slot.Links.Remove(link.Id))
            {
                return;
            }

            if (slot.Carrier == link)
            {
                slot.Carrier = null;
            }

            LogConnectionClosed(_logger, slot.Name, link.Id, reason);
            slot.Rules.OnClosed(link.Id, reason, slot.Decisions);
            Apply(slot);
        }

        DisposeLater(link);
        DrainLater(slot);
    }

    /// <summary>A connection's loops ended on their own (EOF, reset, an unreadable frame).</summary>
    private void OnLinkClosed(PeerSlot slot, PeerLink link, string reason, FrameError? badFrame)
    {
        lock (_lock)
        {
            if (slot.Links.Remove(link.Id))
            {
                if (slot.Carrier == link)
                {
                    slot.Carrier = null;
                }

                LogConnectionClosed(_logger, slot.Name, link.Id, reason);
                slot.Rules.OnClosed(link.Id, reason, slot.Decisions);
                Apply(slot, link.Id, badFrame, reason);
            }
        }

        DisposeLater(link);
        DrainLater(slot);
    }

    /// <summary>Frames one read completed: each goes through the rules, and on to the node as a frame of the carrier.</summary>
    private async ValueTask OnFramesAsync(PeerSlot slot, PeerLink link, List<ReceivedFrame> frames, FrameSlab slab)
    {
        lock (_lock)
        {
            FrameBatch? run = null;
            long runCarrier = -1;
            foreach (var frame in frames)
            {
                var verdict = slot.Rules.OnFrame(link.Id, frame.Type, frame.Plaintext.Span, slot.Decisions);
                if (slot.Decisions.Count > 0)
                {
                    // What the frame changed (a new carrier, say) reaches the node before the frame does.
                    Flush(slot, run);
                    run = null;
                    Apply(slot);
                }

                if (!verdict.Deliver)
                {
                    continue;
                }

                if (run is not null && runCarrier != verdict.CarrierId)
                {
                    Flush(slot, run);
                    run = null;
                }

                runCarrier = verdict.CarrierId;
                (run ??= Batches(slot, runCarrier).Rent()).Add(frame, slab);
            }

            Flush(slot, run);
        }

        await DrainAsync(slot).ConfigureAwait(false);
    }

    // Each batch for the node holds the slab its plaintexts are in until the node has handled it.
    private static void Flush(PeerSlot slot, FrameBatch? run)
    {
        if (run is { Count: > 0 })
        {
            slot.Outbox.Enqueue(run.Event);
        }
    }

    // The batches of the current carrier are reused; a new carrier gets its own (an event names its session).
    private static FrameBatchPool Batches(PeerSlot slot, long carrier)
    {
        if (slot.Batches?.Carrier != carrier)
        {
            slot.Batches = new FrameBatchPool(slot.Name, carrier, SpareFrameBatches);
        }

        return slot.Batches;
    }

    /// <summary>Carries out the rules' decisions (under the lock); events for the node go to the slot's outbox, in order.</summary>
    private void Apply(PeerSlot slot, long badFrameLink = -1, FrameError? badFrame = null, string badFrameReason = "")
    {
        var decisions = slot.Decisions;
        if (badFrame is not null && !decisions.Any(d => d is CarrierDown down && down.ConnectionId == badFrameLink))
        {
            // A bad frame on a connection that did not carry is counted all the same (a replay on a spare connection).
            slot.Outbox.Enqueue(new PeerLinkDown(slot.Name, badFrameLink, badFrameReason, false, badFrame));
        }

        if (decisions.Count == 0)
        {
            return;
        }

        foreach (var decision in decisions)
        {
            switch (decision)
            {
                case SendControlOn send when slot.Links.TryGetValue(send.ConnectionId, out var link):
                    link.TrySend(new OutgoingFrame(WireMessageType.Control, send.Plaintext));
                    break;
                case CloseConnection close when slot.Links.Remove(close.ConnectionId, out var link):
                    if (slot.Carrier == link)
                    {
                        slot.Carrier = null;
                    }

                    LogConnectionClosed(_logger, slot.Name, link.Id, close.Reason);
                    if (close.Rejected is { } rejected)
                    {
                        slot.Outbox.Enqueue(new PeerLinkDown(slot.Name, link.Id, close.Reason, false, rejected));
                    }

                    DisposeLater(link);
                    break;
                case SwitchToExtendedEncoder encoder when slot.Links.TryGetValue(encoder.ConnectionId, out var link):
                    // Queued right behind our FINISHED: the frames after it go out extended.
                    link.UseEncoderFromHere(encoder.CreateEncoder());
                    break;
                case SwitchToExtendedDecoder decoder when slot.Links.TryGetValue(decoder.ConnectionId, out var link):
                    link.UseDecoder(decoder.CreateDecoder());
                    break;
                case CarrierUp up when slot.Links.TryGetValue(up.ConnectionId, out var link):
                    slot.Carrier = link;
                    LogCarrier(_logger, slot.Name, link.Id, up.Direction == ConnectionDirection.Outbound ? "dialled" : "accepted", link.Remote);
                    slot.Outbox.Enqueue(new PeerLinkUp(slot.Name, link.Id, up.Direction == ConnectionDirection.Outbound, link.Remote, up.Channel));
                    break;
                case CarrierDown down:
                    if (slot.Carrier?.Id == down.ConnectionId)
                    {
                        slot.Carrier = null;
                    }

                    slot.Outbox.Enqueue(new PeerLinkDown(slot.Name, down.ConnectionId, down.Reason, down.Routine, down.ConnectionId == badFrameLink ? badFrame : null));
                    break;
                case StartDial:
                    slot.DialRequested = true;
                    break;
                case SessionLog log:
                    LogSession(_logger, log.Level, log.Message);
                    break;
            }
        }

        decisions.Clear();
        // Deadlines may have moved.
        slot.Wake.Writer.TryWrite(true);
    }

    /// <summary>Hands the slot's queued events to the node, one caller at a time, so that they arrive in order.</summary>
    private async ValueTask DrainAsync(PeerSlot slot)
    {
        await slot.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                PeerNetworkEvent? next;
                lock (_lock)
                {
                    if (!slot.Outbox.TryDequeue(out next))
                    {
                        return;
                    }
                }

                await _deliver(next).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or ChannelClosedException)
        {
            // The owner stopped taking events: it is shutting down.
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private void DrainLater(PeerSlot slot) => _ = Task.Run(async () => await DrainAsync(slot).ConfigureAwait(false));

    private static void DisposeLater(PeerLink link) => _ = Task.Run(async () => await link.DisposeAsync().ConfigureAwait(false));

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

            IPAddress remote;
            try
            {
                remote = Normalize(((IPEndPoint)socket.RemoteEndPoint!).Address);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                socket.Dispose();
                continue;
            }

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

            await RegisterAsync(slot, socket, ConnectionDirection.Inbound, remote).ConfigureAwait(false);
        }
    }

    /// <summary>Per peer: polls the rules at their deadlines and starts the dials they ask for.</summary>
    private async Task SlotLoopAsync(PeerSlot slot, CancellationToken stop)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stop, slot.Retired.Token);
        var cancellationToken = both.Token;
        Task dialing = Task.CompletedTask;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            var dial = false;
            lock (_lock)
            {
                slot.Rules.Poll(slot.Decisions);
                Apply(slot);
                if (slot.DialRequested && dialing.IsCompleted)
                {
                    slot.DialRequested = false;
                    dial = true;
                }

                wait = slot.Rules.NextDeadline is { } next ? next - _time.GetUtcNow() : Timeout.InfiniteTimeSpan;
            }

            await DrainAsync(slot).ConfigureAwait(false);
            if (dial)
            {
                dialing = Task.Run(() => DialAsync(slot, cancellationToken), CancellationToken.None);
            }

            if (wait != Timeout.InfiniteTimeSpan && wait <= TimeSpan.Zero)
            {
                continue;
            }

            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var woken = slot.Wake.Reader.ReadAsync(waiting.Token).AsTask();
            var elapsed = wait == Timeout.InfiniteTimeSpan ? Task.Delay(Timeout.Infinite, waiting.Token) : Task.Delay(wait, _time, waiting.Token);
            await Task.WhenAny(woken, elapsed).ConfigureAwait(false);
            await waiting.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await dialing.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DialAsync(PeerSlot slot, CancellationToken cancellationToken)
    {
        var failure = await TryDialAsync(slot, cancellationToken).ConfigureAwait(false);
        if (failure is null || cancellationToken.IsCancellationRequested)
        {
            return;
        }

        lock (_lock)
        {
            slot.Rules.OnDialFailed(failure, slot.Decisions);
            Apply(slot);
        }
    }

    /// <summary>Dials the peer's addresses in turn; null once one connected (and was registered), else why not.</summary>
    private async Task<string?> TryDialAsync(PeerSlot slot, CancellationToken cancellationToken)
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
            return $"cannot resolve: {e.Message}";
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        addresses = [.. addresses.Select(Normalize)];
        lock (_lock)
        {
            slot.Addresses = addresses;
        }

        var failure = "no address";
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
                failure = e is OperationCanceledException ? $"no answer within {_options.ConnectTimeout.TotalSeconds} s" : e.Message;
                socket.Dispose();
                continue;
            }
            catch (OperationCanceledException)
            {
                // Stopping.
                socket.Dispose();
                return null;
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or ArgumentException)
            {
                // Whatever else went wrong, the rules must hear of it, or they would wait for this dial forever.
                socket.Dispose();
                failure = e.Message;
                continue;
            }

            IPAddress local;
            try
            {
                local = Normalize(((IPEndPoint)socket.LocalEndPoint!).Address);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                socket.Dispose();
                failure = e.Message;
                continue;
            }

            // From here the session owns the socket.
            return await RegisterAsync(slot, socket, ConnectionDirection.Outbound, local).ConfigureAwait(false) ? null : "connection lost at once";
        }

        return failure;
    }

    /// <summary>Hands a new connection to the rules and starts its loops; false when it died before that.</summary>
    private async Task<bool> RegisterAsync(PeerSlot slot, Socket socket, ConnectionDirection direction, IPAddress dialler)
    {
        PeerLink link;
        try
        {
            socket.NoDelay = true;
            link = new PeerLink(slot.Name, Interlocked.Increment(ref _nextLinkId), socket, direction == ConnectionDirection.Outbound, dialler, _options.MaxQueuedBytesPerPeer, _options.DrainedBytes);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The peer hung up between the connect (or accept) and now.
            LogConnectionClosed(_logger, slot.Name, 0, e.Message);
            socket.Dispose();
            return false;
        }

        bool open;
        Exception? startFailure = null;
        lock (_lock)
        {
            open = !_stop.IsCancellationRequested && _slots.GetValueOrDefault(slot.Name) == slot;
            if (open)
            {
                // The connection's codec and its handshake key are taken together: a reload applies to both from the next one.
                var codecs = _codecs();
                slot.Links.Add(link.Id, link);
                slot.Rules.OnOpened(link.Id, direction, dialler, codecs.Handshake, slot.Decisions);
                // The HELLO is queued first, then the loops start: no frame can arrive before the rules know the connection.
                Apply(slot);
                open = slot.Links.ContainsKey(link.Id);
                if (open)
                {
                    try
                    {
                        link.Start(codecs, (l, frames, slab) => OnFramesAsync(slot, l, frames, slab), (l, reason, bad) => OnLinkClosed(slot, l, reason, bad));
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        startFailure = e;
                    }
                }
            }
        }

        if (startFailure is not null)
        {
            // A codec that cannot be made (an assembly missing from the deployment, say) closes this connection
            // loudly; uncaught, it faulted the dial or accept task unseen and left the rules holding a connection
            // whose loops never started, so the session hung with no log line.
            LogSessionStartFailed(_logger, slot.Name, link.Id, startFailure.GetType().Name, startFailure.Message);
            OnLinkClosed(slot, link, $"the session could not start: {startFailure.Message}", null);
        }
        else if (!open)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }

        await DrainAsync(slot).ConfigureAwait(false);
        return true;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static UInt128 NewInstanceId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>Closes the listeners and every session and waits for their loops to end.</summary>
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

        // Connections are collected after the loops ended, so one registered while stopping is closed too.
        await Task.WhenAll(loops).ConfigureAwait(false);
        List<PeerLink> links = [];
        lock (_lock)
        {
            foreach (var slot in _slots.Values)
            {
                links.AddRange(slot.Links.Values);
                slot.Links.Clear();
                slot.Carrier = null;
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

    /// <summary>One configured peer: its rules, its open connections and the events waiting for the node.</summary>
    private sealed class PeerSlot(string name, PeerSessionRules rules)
    {
        public string Name { get; } = name;

        public PeerSessionRules Rules { get; } = rules;

        /// <summary>Reused for every call into the rules (under the network's lock).</summary>
        public List<SessionDecision> Decisions { get; } = [];

        public IPAddress[] Addresses { get; set; } = IPAddress.TryParse(name, out var literal) ? [Normalize(literal)] : [];

        public Dictionary<long, PeerLink> Links { get; } = [];

        /// <summary>The connection the node sees as the session.</summary>
        public PeerLink? Carrier { get; set; }

        public bool DialRequested { get; set; }

        public Queue<PeerNetworkEvent> Outbox { get; } = new();

        /// <summary>Frame batches for the node, of the connection that last delivered frames (under the network's lock).</summary>
        public FrameBatchPool? Batches { get; set; }

        /// <summary>Held by whoever hands the outbox to the node.</summary>
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public Channel<bool> Wake { get; } = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

        public CancellationTokenSource Retired { get; } = new();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "peer {Peer}: session on connection {Link} ({How}, {Remote})")]
    private static partial void LogCarrier(ILogger logger, string peer, long link, string how, IPEndPoint remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "peer {Peer}: connection {Link} closed: {Reason}")]
    private static partial void LogConnectionClosed(ILogger logger, string peer, long link, string reason);

    [LoggerMessage(Message = "{Line}")]
    private static partial void LogSession(ILogger logger, LogLevel level, string line);

    [LoggerMessage(Level = LogLevel.Error, Message = "peer {Peer}: connection {Link} cannot carry a session: {Error}: {Reason}")]
    private static partial void LogSessionStartFailed(ILogger logger, string peer, long link, string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "refusing connection from {Remote}: not a configured peer")]
    private static partial void LogRefused(ILogger logger, IPAddress remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "peer {Peer}: connect to {Address} failed: {Reason}")]
    private static partial void LogDialFailed(ILogger logger, string peer, IPAddress address, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "peer {Peer}: cannot resolve: {Reason}")]
    private static partial void LogResolveFailed(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "accept failed: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string reason);
}
