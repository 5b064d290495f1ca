using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Sasync.Core.Config;
using Sasync.Core.Net;
using Sasync.Core.Sync;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Core.Sessions;

/// <summary>
/// The session rules for one configured peer, as a pure, single-threaded state machine: which of the
/// peer's open connections is the carrier (the one the engine sees and we send on), which ones to close,
/// when to dial, the handshake timeout and the backoff after failed attempts.
/// </summary>
/// <remarks>
/// <para>
/// A shell (the TCP <c>PeerNetwork</c>, or a simulator's in-memory network) owns the connections and calls
/// in: <see cref="OnOpened(long, ConnectionDirection, IPAddress, ChannelHandshake?, List{SessionDecision})"/> for a connection dialled or accepted, <see cref="OnFrame"/> for every frame
/// read, <see cref="OnSent"/> for every control message the engine sends, <see cref="OnClosed"/> when a
/// connection ended, <see cref="OnDialFailed"/>, and <see cref="Poll"/> at <see cref="NextDeadline"/> (and
/// whenever convenient). Each call appends <see cref="SessionDecision"/>s to the caller's list, which the
/// shell carries out in order. Not thread-safe: a shell serialises its calls. Time comes from the
/// <see cref="TimeProvider"/>, jitter from the <see cref="Random"/>; nothing else is read.
/// </para>
/// <para>
/// The rules. Every connection starts with our HELLO; the first frame that arrives on it tells the peer's
/// kind. Against an original sasyncd (which always talks on the connection it accepted last, and dials only
/// when it has none): the newest outbound connection carries, else the newest inbound; an older inbound is
/// closed (the original abandoned it when it dialled again); a connection set aside stays open, and its
/// frames are delivered, until the carrier proves that the original reads it (an ACK of a STATE written
/// after it was set aside); when the carrier closes, the newest inbound takes over without a redial.
/// Between two sasyncd-cs: a HELLO with a new instance id means the peer restarted and its older
/// connections are closed; of the connections of one instance, the one dialled by the lower address wins
/// (the newer one when both came from the same address), on both ends alike.
/// </para>
/// <para>
/// The channel. A connection opened with a <see cref="ChannelHandshake"/> sends a version-2 HELLO (a fresh
/// nonce, the offer as the policy says) and carries only once its channel is known: between two version-2
/// sasyncd-cs both send a FINISHED over both HELLOs and the connection settles when the peer's verifies
/// (extended when both offered: <see cref="SwitchToExtendedEncoder"/> right after our FINISHED,
/// <see cref="SwitchToExtendedDecoder"/> right after theirs); a FINISHED that does not verify closes it as a
/// rejected frame (an altered HELLO, a downgrade). An original's first frame, a version-1 HELLO, or silence for
/// <see cref="SessionRulesOptions.HelloWait"/> from a peer not known to be a sasyncd-cs settle it legacy;
/// <c>channel require</c> refuses those instead; a connection not settled within the handshake timeout closes.
/// </para>
/// <para>
/// A shell's contract, in short. Connection ids are the shell's, unique for the life of the rules. On
/// <see cref="StartDial"/> dial once and report the outcome. Carry decisions out in list order: a
/// <see cref="SendControlOn"/> is written before anything the engine queues later on that connection (the
/// HELLO must be the connection's first frame, so start reading only after <see cref="OnOpened(long, ConnectionDirection, IPAddress, ChannelHandshake?, List{SessionDecision})"/> returned);
/// hand <see cref="CarrierUp"/> / <see cref="CarrierDown"/> to the engine as its session up / down, in the
/// same order as frames; swap a connection's encoder at the point of a <see cref="SwitchToExtendedEncoder"/> in
/// its write queue and its decoder before decoding past the frame that produced a <see cref="SwitchToExtendedDecoder"/>;
/// send the engine's messages on the carrier only, and report its control messages
/// with <see cref="OnSent"/> (not the rules' own <see cref="SendControlOn"/>); give the engine a frame only
/// when <see cref="OnFrame"/> says so, as a frame of <see cref="FrameVerdict.CarrierId"/>. After a
/// <see cref="CloseConnection"/> the rules have forgotten that connection. Status: <see cref="FailedAttempts"/>
/// and <see cref="NextAttemptAt"/>.
/// </para>
/// </remarks>
public sealed class PeerSessionRules
{
    private readonly SessionRulesOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly HelloMessage _hello;
    private readonly NonceSource _nonces;
    private readonly List<SessionConnection> _connections = [];
    private SessionConnection? _carrier;
    private long _order;
    private UInt128 _peerInstance;
    private bool _dialing;
    private bool _retired;
    private DateTimeOffset _nextAttemptAt;
    private DateTimeOffset? _firstFailureAt;
    private RunState? _announced;
    // Whether "session up" was logged and no "session down" since: the log tells of sessions, not connections.
    private bool _upLogged;

    /// <summary>The rules for one peer, with no connection yet and a first dial due at once.</summary>
    /// <param name="peer">The peer's configured name, for log lines.</param>
    /// <param name="hello">Our HELLO: its instance id is the same on every connection for the life of the process
    /// (the version, capabilities and nonce of each connection's HELLO are the rules' own).</param>
    /// <param name="options">Handshake timeout, backoff and jitter.</param>
    /// <param name="time">The clock of every deadline.</param>
    /// <param name="random">The source of the backoff jitter (seeded in tests and simulations).</param>
    /// <param name="nonces">Fills each connection's HELLO nonce; cryptographically random when null.</param>
    public PeerSessionRules(string peer, HelloMessage hello, SessionRulesOptions options, TimeProvider time, Random random, NonceSource? nonces = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        Peer = peer;
        _hello = hello;
        _nonces = nonces ?? RandomNumberGenerator.Fill;
        _options = options;
        _time = time;
        _random = random;
        _nextAttemptAt = time.GetUtcNow();
    }

    /// <summary>The peer's configured name, as in <c>peer</c>.</summary>
    public string Peer { get; }

    /// <summary>What the peer's most recently classified connection showed it to be.</summary>
    public PeerKind Kind { get; private set; }

    /// <summary>The carrier's id, or null when the peer has no open connection.</summary>
    public long? CarrierId => _carrier?.Id;

    /// <summary>The framing the carrier uses; legacy while there is none.</summary>
    public PeerChannel Channel => _carrier?.Channel ?? PeerChannel.Legacy;

    /// <summary>Open connections, the carrier among them.</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Failed attempts since the last session that proved stable.</summary>
    public int FailedAttempts { get; private set; }

    /// <summary>When the next dial may start, while the peer has no connection; null while it has one (or is retired).</summary>
    public DateTimeOffset? NextAttemptAt => _connections.Count == 0 && !_retired ? _nextAttemptAt : null;

    /// <summary>The earliest time at which <see cref="Poll"/> has something to do; null when nothing is pending.</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            DateTimeOffset? next = null;
            if (_carrier is { CarrierSince: { } since } carrier && !carrier.Stable)
            {
                next = carrier.HandshakeAt is { } done ? done + _options.StablePeriod : since + _options.HandshakeTimeout;
            }

            if (_connections.Count == 0 && !_dialing && !_retired && (next is null || _nextAttemptAt < next))
            {
                next = _nextAttemptAt;
            }

            if (_carrier is { Stable: true } idle && _announced is not null && (next is null || ProbeDue(idle) < next))
            {
                next = ProbeDue(idle);
            }

            foreach (var pending in _connections)
            {
                if (HandshakeDue(pending) is { } due && (next is null || due < next))
                {
                    next = due;
                }
            }

            return next;
        }
    }

    /// <summary>
    /// A connection with the peer was dialled (<see cref="ConnectionDirection.Outbound"/>) or accepted.
    /// <paramref name="dialler"/> is the address of the side that dialled it (our source address for an
    /// outbound one, the peer's for an inbound one). Answers with our HELLO on it, then whatever follows.
    /// </summary>
    public void OnOpened(long connectionId, ConnectionDirection direction, IPAddress dialler, List<SessionDecision> decisions) =>
        OnOpened(connectionId, direction, dialler, null, decisions);

    /// <summary>
    /// A connection with the peer was dialled (<see cref="ConnectionDirection.Outbound"/>) or accepted, with
    /// the <paramref name="handshake"/> (key and policy) of its channel negotiation. <paramref name="dialler"/>
    /// is the address of the side that dialled it (our source address for an outbound one, the peer's for an
    /// inbound one). Answers with our HELLO on it, then whatever follows. With a handshake the connection
    /// cannot carry the session before its channel is known: the peer's FINISHED verified, its first frame
    /// showed an original or a version-1 sasyncd-cs, or <see cref="SessionRulesOptions.HelloWait"/> passed in
    /// silence.
    /// </summary>
    public void OnOpened(long connectionId, ConnectionDirection direction, IPAddress dialler, ChannelHandshake? handshake, List<SessionDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(dialler);
        ArgumentNullException.ThrowIfNull(decisions);
        if (direction == ConnectionDirection.Outbound)
        {
            _dialing = false;
        }

        if (_retired)
        {
            decisions.Add(new CloseConnection(connectionId, "peer removed from the configuration"));
            return;
        }

        var offer = handshake is not null && handshake.Policy != ChannelPolicy.Legacy;
        var hello = handshake is null
            ? new HelloMessage(1, 0, _hello.InstanceId)
            : new HelloMessage(HelloMessage.CurrentVersion, (uint)(offer ? HelloCapabilities.ExtendedChannel | HelloCapabilities.DigestResync : HelloCapabilities.None), _hello.InstanceId, NewNonce());
        var bytes = hello.ToBytes();
        var connection = new SessionConnection(connectionId, ++_order, direction, Normalize(dialler), _time.GetUtcNow())
        {
            Handshake = handshake,
            SentHello = bytes,
            WeOffer = offer,
        };
        if (handshake is null)
        {
            Settle(connection, PeerChannel.Legacy);
        }
        else if (Kind == PeerKind.Original && handshake.Policy != ChannelPolicy.Require)
        {
            // The peer is an original: it may never write first on this connection, and it never upgrades.
            Settle(connection, PeerChannel.Legacy);
            connection.SettledBeforeFrame = true;
        }

        _connections.Add(connection);
        decisions.Add(new SendControlOn(connectionId, bytes));
        Reevaluate(decisions);
        EnforceLimit(decisions);
    }

    /// <summary>A dial failed (refused, timed out, unresolvable): a failed attempt.</summary>
    public void OnDialFailed(string reason, List<SessionDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        _dialing = false;
        if (!_retired && _connections.Count == 0)
        {
            Fail($"connect failed: {reason}", decisions);
        }
    }

    /// <summary>
    /// A whole frame arrived on a connection. Consumes a HELLO, classifies the connection by its first
    /// frame, tracks the STATE exchange, and says whether (and as which carrier) the engine gets the frame.
    /// </summary>
    public FrameVerdict OnFrame(long connectionId, WireMessageType type, ReadOnlySpan<byte> plaintext, List<SessionDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        var connection = Find(connectionId);
        if (connection is null)
        {
            return FrameVerdict.Drop;
        }

        var first = connection.LastFrameAt is null;
        connection.LastFrameAt = _time.GetUtcNow();
        if (type == WireMessageType.Control && HelloMessage.IsHello(plaintext))
        {
            OnHello(connection, plaintext, decisions);
            return FrameVerdict.Drop;
        }

        if (type == WireMessageType.Control && FinishedMessage.IsFinished(plaintext))
        {
            // Never the engine's: a FINISHED anywhere but in its place changes nothing.
            if (connection.Stage == HandshakeStage.AwaitingFinished)
            {
                OnFinished(connection, plaintext, decisions);
            }

            return FrameVerdict.Drop;
        }

        if (connection.Stage == HandshakeStage.AwaitingFinished)
        {
            Reject(connection, $"a {type} frame came where the peer's FINISHED belongs", decisions);
            return FrameVerdict.Drop;
        }

        if (connection.Kind == PeerKind.Unknown)
        {
            connection.Kind = PeerKind.Original;
            if (first && connection.Stage == HandshakeStage.AwaitingHello)
            {
                if (connection.Handshake?.Policy == ChannelPolicy.Require)
                {
                    Refuse(connection, "the peer is an original sasyncd (its first frame is no HELLO)", decisions);
                    return FrameVerdict.Drop;
                }

                Settle(connection, PeerChannel.Legacy);
            }

            if (Kind != PeerKind.Original)
            {
                Kind = PeerKind.Original;
                SettleSilentAsOriginal();
                Reevaluate(decisions);
            }
        }

        if (type == WireMessageType.Control && ControlMessage.TryRead(plaintext[..Math.Min(plaintext.Length, ControlMessage.Size)], out var control))
        {
            OnControl(connection, control, decisions);
        }

        return _carrier is { } carrier && Find(connectionId) is not null ? FrameVerdict.To(carrier.Id) : FrameVerdict.Drop;
    }

    /// <summary>
    /// The engine's message is being written on a connection (the carrier). The rules count STATEs, to know
    /// when an original answered one, and remember the run state we announced, for probes.
    /// </summary>
    public void OnSent(long connectionId, WireMessageType type, ReadOnlySpan<byte> plaintext)
    {
        if (type != WireMessageType.Control || !ControlMessage.TryRead(plaintext, out var message))
        {
            return;
        }

        if (message.Type == ControlType.State && Find(connectionId) is { } connection)
        {
            connection.StatesSent++;
        }

        if (message.TryGetRunState(out var state))
        {
            _announced = state;
        }
    }

    /// <summary>
    /// A connection ended on its own (closed by the peer, reset, an unreadable frame). A carrier that ends
    /// before it proved stable, leaving no other connection, is a failed attempt.
    /// </summary>
    public void OnClosed(long connectionId, string reason, List<SessionDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        var connection = Find(connectionId);
        if (connection is null)
        {
            return;
        }

        var wasCarrier = connection == _carrier;
        var stable = connection.Stable;
        var pending = connection.Stage != HandshakeStage.Settled;
        Forget(connection, reason, routine: false, decisions);
        // A connection that ended in its handshake is a failed attempt as well: the next dial waits.
        if ((wasCarrier || pending) && _connections.Count == 0)
        {
            if (!stable)
            {
                Fail($"session ended: {reason}", decisions);
            }
            else if (_upLogged)
            {
                _upLogged = false;
                decisions.Add(new SessionLog(LogLevel.Information, $"peer {Peer}: session down: {reason}"));
            }
        }

        Reevaluate(decisions);
    }

    /// <summary>Makes the next dial due at once (a carp change): skips the wait, keeps the failure count.</summary>
    public void DialNow() => _nextAttemptAt = _time.GetUtcNow();

    /// <summary>
    /// Does what is due: closes a carrier whose STATE exchange timed out, marks a carrier stable (resetting
    /// the backoff, with one summary line), and starts a dial when the peer has no connection and its
    /// next attempt is due.
    /// </summary>
    public void Poll(List<SessionDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        var now = _time.GetUtcNow();
        PollHandshakes(now, decisions);
        if (_carrier is { Stable: true } idle && _announced is { } announced && now >= ProbeDue(idle))
        {
            // A carrier that has been silent this long is probed with our STATE (answered by an ACK): if the
            // peer dropped it (a silent drop, a one-sided timeout) the write fails, and we dial again, instead
            // of waiting on a dead connection for good (an original dials again only every 600 s).
            idle.LastProbeAt = now;
            idle.StatesSent++;
            decisions.Add(new SendControlOn(idle.Id, ControlMessage.StateOf(announced).ToBytes()));
        }

        if (_carrier is { CarrierSince: { } since } carrier && !carrier.Stable)
        {
            if (carrier.HandshakeAt is null && now >= since + _options.HandshakeTimeout)
            {
                var reason = $"no STATE or ACK within {Seconds(_options.HandshakeTimeout)} s";
                decisions.Add(new CloseConnection(carrier.Id, reason));
                Forget(carrier, reason, routine: false, decisions);
                Fail($"session closed: {reason}", decisions);
                Reevaluate(decisions);
            }
            else if (carrier.HandshakeAt is { } done && now >= done + _options.StablePeriod)
            {
                carrier.Stable = true;
                carrier.StableSince = now;
                if (FailedAttempts > 0)
                {
                    var took = now - (_firstFailureAt ?? now);
                    decisions.Add(new SessionLog(LogLevel.Information,
                        $"peer {Peer}: connected again after {FailedAttempts} failed attempts in {Seconds(took)} s"));
                }

                FailedAttempts = 0;
                _firstFailureAt = null;
                _upLogged = true;
            }
        }

        if (_connections.Count == 0 && !_dialing && !_retired && now >= _nextAttemptAt)
        {
            _dialing = true;
            decisions.Add(new StartDial());
        }
    }

    /// <summary>
    /// Our side wants a fresh session (a resync): every connection is closed and the next dial is due at once.
    /// Not a failed attempt, so the backoff neither grows nor delays it: a node that needs a new snapshot from
    /// its MASTER must not wait out the backoff of earlier resyncs (a session that resyncs every failover
    /// never lives long enough to prove stable).
    /// </summary>
    public void Restart(string reason, List<SessionDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        foreach (var connection in _connections.ToList())
        {
            decisions.Add(new CloseConnection(connection.Id, reason));
            Forget(connection, reason, routine: true, decisions);
        }

        _nextAttemptAt = _time.GetUtcNow();
        decisions.Add(new SessionLog(LogLevel.Information, $"peer {Peer}: session closed for a new one, dialled at once: {reason}"));
    }

    /// <summary>The peer left the configuration: every connection is closed and it is never dialled again.</summary>
    public void Retire(string reason, List<SessionDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        _retired = true;
        foreach (var connection in _connections.ToList())
        {
            decisions.Add(new CloseConnection(connection.Id, reason));
            Forget(connection, reason, routine: false, decisions);
        }
    }

    private void OnHello(SessionConnection connection, ReadOnlySpan<byte> plaintext, List<SessionDecision> decisions)
    {
        if (connection.Kind != PeerKind.Unknown)
        {
            // Only the first frame is a HELLO; a later one changes nothing.
            return;
        }

        if (!HelloMessage.TryRead(plaintext, out var hello))
        {
            var reason = $"malformed HELLO ({plaintext.Length} bytes)";
            decisions.Add(new CloseConnection(connection.Id, reason));
            var wasCarrier = connection == _carrier;
            Forget(connection, reason, routine: false, decisions);
            if (wasCarrier && _connections.Count == 0)
            {
                Fail($"session closed: {reason}", decisions);
            }

            Reevaluate(decisions);
            return;
        }

        connection.Kind = PeerKind.Sasyncd;
        connection.Instance = hello.InstanceId;
        // A new instance is believed only on a connection newer than every one of the current instance:
        // a HELLO read late from a connection of a process that has since restarted changes nothing.
        var stale = Kind == PeerKind.Sasyncd && hello.InstanceId != _peerInstance
            && _connections.Any(c => c.Kind == PeerKind.Sasyncd && c.Instance == _peerInstance && c.Order > connection.Order);
        if (!stale)
        {
            Kind = PeerKind.Sasyncd;
            _peerInstance = hello.InstanceId;
        }

        StartHandshake(connection, hello, plaintext, decisions);
        Reevaluate(decisions);
    }

    /// <summary>
    /// Both HELLOs of a connection are known. With two version-2 HELLOs: derive the session secrets (the
    /// dialler's HELLO first), send our FINISHED, and, when both offered the extended channel, switch our
    /// encoder right after it. Otherwise the connection settles on the legacy frames (or is refused under
    /// <c>channel require</c>).
    /// </summary>
    private void StartHandshake(SessionConnection connection, HelloMessage hello, ReadOnlySpan<byte> plaintext, List<SessionDecision> decisions)
    {
        if (connection.Handshake is not { } handshake)
        {
            return;
        }

        if (!hello.HasNonce)
        {
            if (handshake.Policy == ChannelPolicy.Require)
            {
                Refuse(connection, $"the peer speaks protocol version {hello.Version}, which has no extended channel", decisions);
            }
            else if (connection.Stage != HandshakeStage.Settled)
            {
                Settle(connection, PeerChannel.Legacy);
            }

            return;
        }

        if (connection.Stage == HandshakeStage.Settled)
        {
            // It was taken for a connection with an original when the HELLO was late: start again, so that the
            // next connection (now known to be with a sasyncd-cs) waits for its HELLO.
            var reason = "the peer's HELLO came after the session had started on the original's frames";
            decisions.Add(new CloseConnection(connection.Id, reason));
            Forget(connection, reason, routine: true, decisions);
            if (_connections.Count == 0)
            {
                Fail($"session closed: {reason}", decisions);
            }

            return;
        }

        var weAreDialler = connection.Direction == ConnectionDirection.Outbound;
        var secrets = weAreDialler
            ? ExtendedKeySchedule.Derive(handshake.Key.Bytes, connection.SentHello, plaintext)
            : ExtendedKeySchedule.Derive(handshake.Key.Bytes, plaintext, connection.SentHello);
        connection.Secrets = secrets;
        connection.PeerOffers = (hello.Offers & HelloCapabilities.ExtendedChannel) != 0;
        connection.Stage = HandshakeStage.AwaitingFinished;
        decisions.Add(new SendControlOn(connection.Id, FinishedMessage.ToBytes(secrets.Finished(weAreDialler))));
        if (connection.WeOffer && connection.PeerOffers)
        {
            decisions.Add(new SwitchToExtendedEncoder(connection.Id, secrets, weAreDialler, handshake.Options));
        }
    }

    /// <summary>
    /// The peer's FINISHED: a MAC over both HELLOs as the peer saw them. When ours agrees the connection's
    /// channel is settled (extended when both offered, and our decoder switches right after this frame);
    /// otherwise a HELLO was altered between the two ends and the connection closes.
    /// </summary>
    private void OnFinished(SessionConnection connection, ReadOnlySpan<byte> plaintext, List<SessionDecision> decisions)
    {
        var handshake = connection.Handshake!;
        var secrets = connection.Secrets!;
        var weAreDialler = connection.Direction == ConnectionDirection.Outbound;
        if (!FinishedMessage.TryRead(plaintext, out var mac) || !secrets.VerifyFinished(!weAreDialler, mac))
        {
            Reject(connection, "the peer's FINISHED does not match our handshake: a HELLO was altered on the way (a downgrade?)", decisions);
            Reevaluate(decisions);
            return;
        }

        var extended = connection.WeOffer && connection.PeerOffers;
        if (!extended && handshake.Policy == ChannelPolicy.Require)
        {
            Refuse(connection, "the peer does not offer the extended channel (its channel policy is legacy)", decisions);
            Reevaluate(decisions);
            return;
        }

        if (extended)
        {
            decisions.Add(new SwitchToExtendedDecoder(connection.Id, secrets, weAreDialler, handshake.Options));
        }

        Settle(connection, extended ? PeerChannel.Extended : PeerChannel.Legacy);
        decisions.Add(new SessionLog(LogLevel.Debug,
            $"peer {Peer}: connection {connection.Id} on the {(extended ? "extended channel" : "original's frames")}"));
        Reevaluate(decisions);
    }

    /// <summary>Closes a connection whose handshake failed: a rejected frame for the node's counters, and a failed attempt.</summary>
    private void Reject(SessionConnection connection, string reason, List<SessionDecision> decisions)
    {
        var line = $"handshake failed: {reason}";
        decisions.Add(new CloseConnection(connection.Id, line, FrameError.BadFinished));
        Forget(connection, line, routine: false, decisions);
        if (_connections.Count == 0)
        {
            Fail(line, decisions);
        }
        else
        {
            decisions.Add(new SessionLog(LogLevel.Warning, $"peer {Peer}: {line}; connection closed"));
        }
    }

    /// <summary>Closes a connection that <c>channel require</c> does not accept: a failed attempt, with the normal backoff.</summary>
    private void Refuse(SessionConnection connection, string reason, List<SessionDecision> decisions)
    {
        var line = $"refused: {reason} (channel require)";
        decisions.Add(new CloseConnection(connection.Id, line));
        Forget(connection, line, routine: false, decisions);
        if (_connections.Count == 0)
        {
            Fail(line, decisions);
        }
        else
        {
            decisions.Add(new SessionLog(LogLevel.Warning, $"peer {Peer}: {line}; connection closed"));
        }
    }

    private static void Settle(SessionConnection connection, PeerChannel channel)
    {
        connection.Stage = HandshakeStage.Settled;
        connection.Channel = channel;
    }

    /// <summary>The peer showed itself an original: its connections that are still silent are the original's too.</summary>
    private void SettleSilentAsOriginal()
    {
        foreach (var connection in _connections)
        {
            if (connection.Stage == HandshakeStage.AwaitingHello && connection.LastFrameAt is null && connection.Handshake?.Policy != ChannelPolicy.Require)
            {
                Settle(connection, PeerChannel.Legacy);
                connection.SettledBeforeFrame = true;
            }
        }
    }

    /// <summary>Closes connections whose handshake timed out; takes silent ones for an original's after the HELLO wait.</summary>
    private void PollHandshakes(DateTimeOffset now, List<SessionDecision> decisions)
    {
        var changed = false;
        foreach (var connection in _connections.ToList())
        {
            if (connection.Stage == HandshakeStage.Settled)
            {
                continue;
            }

            if (now >= connection.OpenedAt + _options.HandshakeTimeout)
            {
                var reason = connection.Handshake?.Policy == ChannelPolicy.Require
                    ? $"refused: the peer did not upgrade to the extended channel within {Seconds(_options.HandshakeTimeout)} s (channel require)"
                    : $"no handshake within {Seconds(_options.HandshakeTimeout)} s";
                decisions.Add(new CloseConnection(connection.Id, reason));
                Forget(connection, reason, routine: false, decisions);
                if (_connections.Count == 0)
                {
                    Fail($"session closed: {reason}", decisions);
                }

                changed = true;
            }
            else if (HelloWaitOver(connection, now))
            {
                Settle(connection, PeerChannel.Legacy);
                connection.SettledBeforeFrame = true;
                changed = true;
            }
        }

        if (changed)
        {
            Reevaluate(decisions);
        }
    }

    /// <summary>A connection still silent after the HELLO wait, with a peer not known to be a sasyncd-cs, is an original's.</summary>
    private bool HelloWaitOver(SessionConnection connection, DateTimeOffset now) =>
        HelloWaitApplies(connection) && now >= connection.OpenedAt + _options.HelloWait;

    private bool HelloWaitApplies(SessionConnection connection) =>
        connection.Stage == HandshakeStage.AwaitingHello && connection.LastFrameAt is null
        && Kind != PeerKind.Sasyncd && connection.Handshake?.Policy != ChannelPolicy.Require;

    /// <summary>When a connection's handshake has something due: the HELLO wait or the timeout; null once settled.</summary>
    private DateTimeOffset? HandshakeDue(SessionConnection connection)
    {
        if (connection.Stage == HandshakeStage.Settled)
        {
            return null;
        }

        var due = connection.OpenedAt + _options.HandshakeTimeout;
        var wait = connection.OpenedAt + _options.HelloWait;
        return HelloWaitApplies(connection) && wait < due ? wait : due;
    }

    private HelloNonce NewNonce()
    {
        Span<byte> bytes = stackalloc byte[HelloNonce.Size];
        _nonces(bytes);
        return HelloNonce.Read(bytes);
    }

    private void OnControl(SessionConnection connection, ControlMessage message, List<SessionDecision> decisions)
    {
        var answersState = message.Type == ControlType.State
            || (message.Type is ControlType.Ack or ControlType.Error && message.Data == (uint)ControlType.State);
        if (answersState && connection == _carrier && connection.HandshakeAt is null)
        {
            connection.HandshakeAt = _time.GetUtcNow();
        }

        if (message.Type != ControlType.Ack || message.Data != (uint)ControlType.State)
        {
            return;
        }

        connection.StateAcks++;
        if (Kind == PeerKind.Sasyncd)
        {
            return;
        }

        // The peer answered a STATE written on this connection after the others were set aside: it reads
        // this one now, and an original never goes back to an older connection.
        foreach (var other in _connections.ToList())
        {
            if (other.SupersededBy == connection.Id && connection.StateAcks >= other.SupersedeAfterAcks)
            {
                var reason = "superseded: the peer answers on a newer connection";
                decisions.Add(new CloseConnection(other.Id, reason));
                Forget(other, reason, routine: true, decisions);
            }
        }
    }

    private void Reevaluate(List<SessionDecision> decisions)
    {
        if (_retired)
        {
            return;
        }

        if (Kind == PeerKind.Sasyncd)
        {
            ReevaluateBetweenSasyncd(decisions);
        }
        else
        {
            ReevaluateAgainstOriginal(decisions);
        }
    }

    private void ReevaluateAgainstOriginal(List<SessionDecision> decisions)
    {
        // Connections of an earlier sasyncd-cs process at that address are dead.
        foreach (var stale in _connections.Where(c => c.Kind == PeerKind.Sasyncd).ToList())
        {
            Close(stale, "the peer now runs another program", decisions);
        }

        var newestInbound = Newest(ConnectionDirection.Inbound);
        foreach (var abandoned in _connections.Where(c => c.Direction == ConnectionDirection.Inbound && c != newestInbound).ToList())
        {
            // The original dials only when it has no connection: it left this one when it dialled again.
            Close(abandoned, "replaced: the peer dialled again", decisions);
        }

        // Only a connection whose channel is known may carry.
        var carrier = NewestSettled(ConnectionDirection.Outbound) ?? (newestInbound is { Stage: HandshakeStage.Settled } ? newestInbound : null);
        var changed = SetCarrier(carrier, decisions);
        if (_carrier is null)
        {
            return;
        }

        var needProbe = false;
        foreach (var other in _connections)
        {
            // A connection still in its handshake is not set aside: it may be the one the original reads from now on.
            if (other != _carrier && other.SupersededBy != _carrier.Id && other.Stage == HandshakeStage.Settled)
            {
                // A STATE written from now on must be answered on the carrier before this one may go. A new
                // carrier gets the engine's STATE anyway; otherwise ask with a probe.
                other.SupersededBy = _carrier.Id;
                other.SupersedeAfterAcks = _carrier.StatesSent + 1;
                needProbe |= !changed;
            }
        }

        if (needProbe && _announced is { } state)
        {
            // The probe also makes a half-open carrier fail fast: writing to it draws a reset.
            _carrier.StatesSent++;
            decisions.Add(new SendControlOn(_carrier.Id, ControlMessage.StateOf(state).ToBytes()));
        }
    }

    private void ReevaluateBetweenSasyncd(List<SessionDecision> decisions)
    {
        foreach (var stale in _connections.Where(c => c.Kind == PeerKind.Original || (c.Kind == PeerKind.Sasyncd && c.Instance != _peerInstance)).ToList())
        {
            Close(stale, "the peer restarted", decisions);
        }

        // A connection still waiting for its HELLO is taken to be of the current instance: it may carry
        // already, but only connections whose HELLO arrived close others.
        SessionConnection? best = null;
        SessionConnection? bestKnown = null;
        foreach (var candidate in _connections)
        {
            // Only a connection whose channel is known may carry.
            if (candidate.Stage == HandshakeStage.Settled && (best is null || Beats(candidate, best)))
            {
                best = candidate;
            }

            if (candidate.Kind == PeerKind.Sasyncd && (bestKnown is null || Beats(candidate, bestKnown)))
            {
                bestKnown = candidate;
            }
        }

        foreach (var loser in _connections.Where(c => c.Kind == PeerKind.Sasyncd && c != bestKnown).ToList())
        {
            Close(loser, "duplicate session: the peer keeps the other one as well", decisions);
        }

        SetCarrier(best, decisions);
    }

    /// <summary>
    /// Of two connections of one sasyncd-cs instance, one opened after the other proved stable (a sasyncd-cs
    /// dials only when it has no connection, so the peer gave the older one up: it is half-open); otherwise
    /// the one dialled by the lower address; the newer from one address.
    /// </summary>
    private static bool Beats(SessionConnection a, SessionConnection b)
    {
        if (b.StableSince is { } bStable && a.OpenedAt > bStable)
        {
            return true;
        }

        if (a.StableSince is { } aStable && b.OpenedAt > aStable)
        {
            return false;
        }

        var order = CompareAddresses(a.Dialler, b.Dialler);
        return order != 0 ? order < 0 : a.Order > b.Order;
    }

    private bool SetCarrier(SessionConnection? carrier, List<SessionDecision> decisions)
    {
        if (carrier == _carrier)
        {
            return false;
        }

        if (_carrier is { } old)
        {
            old.CarrierSince = null;
            old.HandshakeAt = null;
            decisions.Add(new CarrierDown(old.Id, "another connection carries the session", Routine: true));
        }

        _carrier = carrier;
        if (carrier is not null)
        {
            carrier.CarrierSince = _time.GetUtcNow();
            carrier.HandshakeAt = null;
            carrier.Stable = false;
            carrier.StableSince = null;
            carrier.SupersededBy = -1;
            decisions.Add(new CarrierUp(carrier.Id, carrier.Direction, carrier.Channel));
            if (!_upLogged && FailedAttempts == 0)
            {
                _upLogged = true;
                decisions.Add(new SessionLog(LogLevel.Information,
                    $"peer {Peer}: session up ({(carrier.Direction == ConnectionDirection.Outbound ? "dialled" : "accepted")})"));
            }
        }

        return true;
    }

    private void EnforceLimit(List<SessionDecision> decisions)
    {
        while (_connections.Count > Math.Max(_options.MaxConnections, 3))
        {
            // Never the carrier nor the newest of either direction: an original may be reading those.
            var keep = new[] { _carrier, Newest(ConnectionDirection.Outbound), Newest(ConnectionDirection.Inbound) };
            var oldest = _connections.Where(c => !keep.Contains(c)).MinBy(c => c.Order);
            if (oldest is null)
            {
                return;
            }

            Close(oldest, $"more than {_options.MaxConnections} connections", decisions);
        }
    }

    private void Close(SessionConnection connection, string reason, List<SessionDecision> decisions)
    {
        decisions.Add(new CloseConnection(connection.Id, reason));
        Forget(connection, reason, routine: true, decisions);
    }

    private void Forget(SessionConnection connection, string reason, bool routine, List<SessionDecision> decisions)
    {
        _connections.Remove(connection);
        if (connection == _carrier)
        {
            _carrier = null;
            decisions.Add(new CarrierDown(connection.Id, reason, routine));
        }
    }

    private void Fail(string reason, List<SessionDecision> decisions)
    {
        var now = _time.GetUtcNow();
        FailedAttempts++;
        _firstFailureAt ??= now;
        var step = Math.Min(FailedAttempts - 1, 30);
        var baseTicks = Math.Min(_options.MaxBackoff.Ticks, _options.InitialBackoff.Ticks * (1L << Math.Min(step, 20)));
        var factor = 1 + (((_random.NextDouble() * 2) - 1) * _options.Jitter);
        var delay = TimeSpan.FromTicks((long)(baseTicks * factor));
        _nextAttemptAt = now + delay;
        decisions.Add(new SessionLog(LogLevel.Warning,
            $"peer {Peer}: {reason}; {FailedAttempts} failed attempts, next in {Seconds(delay)} s"));
    }

    /// <summary>When a stable, silent carrier gets its next keepalive STATE.</summary>
    private DateTimeOffset ProbeDue(SessionConnection carrier)
    {
        var last = carrier.StableSince ?? carrier.OpenedAt;
        foreach (var at in new[] { carrier.LastFrameAt, carrier.LastProbeAt })
        {
            if (at is { } value && value > last)
            {
                last = value;
            }
        }

        return last + _options.KeepAliveInterval;
    }

    private SessionConnection? Newest(ConnectionDirection direction) =>
        _connections.Where(c => c.Direction == direction).MaxBy(c => c.Order);

    private SessionConnection? NewestSettled(ConnectionDirection direction) =>
        _connections.Where(c => c.Direction == direction && c.Stage == HandshakeStage.Settled).MaxBy(c => c.Order);

    private SessionConnection? Find(long id)
    {
        foreach (var connection in _connections)
        {
            if (connection.Id == id)
            {
                return connection;
            }
        }

        return null;
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static int CompareAddresses(IPAddress a, IPAddress b)
    {
        var x = a.GetAddressBytes();
        var y = b.GetAddressBytes();
        return x.Length != y.Length ? x.Length.CompareTo(y.Length) : x.AsSpan().SequenceCompareTo(y);
    }
}
