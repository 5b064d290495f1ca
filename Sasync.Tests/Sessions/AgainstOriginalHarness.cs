using System.Net;
using Microsoft.Extensions.Time.Testing;
using Sasync.Core;
using Sasync.Core.Sessions;
using Sasync.Core.Wire;

namespace Sasync.Tests.Sessions;

/// <summary>
/// Our <see cref="PeerSessionRules"/> and an <see cref="OriginalPeerModel"/> over a <see cref="ModelNetwork"/>,
/// with a stand-in engine that sends STATE on each new carrier and ACKs each STATE delivered to it. Every
/// step is picked by one seeded <see cref="Random"/>, so a seed replays exactly.
/// </summary>
internal sealed class AgainstOriginalHarness
{
    public static readonly IPAddress Us = IPAddress.Parse("192.0.2.1");
    public static readonly IPAddress Them = IPAddress.Parse("192.0.2.2");

    private readonly Random _random;
    private readonly List<SessionDecision> _decisions = [];
    private readonly Queue<ModelConnection> _ourListenQueue = new();
    private bool _dialPending;
    private DateTimeOffset _originalStartsAt;
    private DateTimeOffset _originalPausedUntil;
    private int _instances;

    public AgainstOriginalHarness(int seed)
    {
        Seed = seed;
        _random = new Random(seed);
        Original = new OriginalPeerModel(Network);
        Rules = NewRules();
        Trace.Add($"seed {seed}");
        Poll();
    }

    public int Seed { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    public ModelNetwork Network { get; } = new();

    public OriginalPeerModel Original { get; }

    public PeerSessionRules Rules { get; private set; }

    /// <summary>Closes we made of the connection the original was reading at that moment.</summary>
    public List<string> Violations { get; } = [];

    public List<string> Trace { get; } = [];

    public int Warnings { get; private set; }

    /// <summary>Sessions (carriers) the engine saw come up.</summary>
    public int CarriersUp { get; private set; }

    public long? EngineCarrier { get; private set; }

    /// <summary>One random step. With <paramref name="faults"/>, restarts of either side and pauses of the original may happen.</summary>
    public void Step(bool faults)
    {
        var now = Time.GetUtcNow();
        if (!Original.Alive && now >= _originalStartsAt)
        {
            _ourListenQueue.Enqueue(Original.Start());
            Trace.Add("original starts and dials");
        }

        var originalRuns = Original.Alive && now >= _originalPausedUntil;
        List<(int Weight, Action Act)> actions = [(2, AdvanceTime)];
        if (originalRuns && Original.CanAccept) { actions.Add((3, () => { Original.Accept(); Trace.Add($"original accepts, socket {Original.Socket}"); })); }
        if (originalRuns && Original.CanRead) { actions.Add((5, () => { Original.Read(); Trace.Add($"original reads, socket {Original.Socket}"); })); }
        if (originalRuns && Original.CanRelay) { actions.Add((1, Original.Relay)); }
        if (_dialPending) { actions.Add((3, CompleteDial)); }
        if (_ourListenQueue.Count > 0) { actions.Add((3, AcceptInbound)); }
        var readable = Network.All.Where(c => c.KnownToUs && !c.ClosedByUs && !c.ReportedClosed && (c.ToUs.Count > 0 || c.ClosedByOriginal)).ToList();
        if (readable.Count > 0) { actions.Add((5, () => Read(readable[_random.Next(readable.Count)]))); }
        if (faults)
        {
            if (Original.Alive) { actions.Add((1, RestartOriginal)); }
            if (originalRuns) { actions.Add((1, () => { _originalPausedUntil = now + TimeSpan.FromMilliseconds(300); Trace.Add("original paused 0.3 s"); })); }
            actions.Add((1, RestartUs));
        }

        var pick = _random.Next(actions.Sum(a => a.Weight));
        foreach (var (weight, act) in actions)
        {
            if (pick < weight)
            {
                act();
                break;
            }

            pick -= weight;
        }

        Poll();
    }

    /// <summary>True when nothing is in flight and our carrier is the original's socket.</summary>
    public bool Settled =>
        Original.Alive && Original.Socket != OriginalPeerModel.NoSocket && Rules.CarrierId == Original.Socket
        && EngineCarrier == Original.Socket && !_dialPending && _ourListenQueue.Count == 0 && Original.Backlog.Count == 0
        && Network.All.Where(c => !c.ClosedByUs && !c.ClosedByOriginal).All(c => c.ToUs.Count == 0 && c.ToOriginal.Count == 0);

    private PeerSessionRules NewRules() =>
        new("192.0.2.2", new HelloMessage(HelloMessage.CurrentVersion, 0, (UInt128)(++_instances)), new SessionRulesOptions(), Time, _random);

    private void AdvanceTime() => Time.Advance(TimeSpan.FromMilliseconds(1 + _random.Next(60)));

    private void Poll()
    {
        Rules.Poll(_decisions);
        Apply();
    }

    private void CompleteDial()
    {
        _dialPending = false;
        if (!Original.Alive)
        {
            Trace.Add("our dial is refused");
            Rules.OnDialFailed("connection refused", _decisions);
            Apply();
            return;
        }

        var connection = Network.Open(dialledByUs: true);
        connection.KnownToUs = true;
        Original.Enqueue(connection);
        Trace.Add($"we dialled {connection.Id}");
        Rules.OnOpened(connection.Id, ConnectionDirection.Outbound, Us, _decisions);
        Apply();
    }

    private void AcceptInbound()
    {
        var connection = _ourListenQueue.Dequeue();
        connection.KnownToUs = true;
        Trace.Add($"we accept {connection.Id}");
        Rules.OnOpened(connection.Id, ConnectionDirection.Inbound, Them, _decisions);
        Apply();
    }

    private void Read(ModelConnection connection)
    {
        if (connection.ToUs.Count == 0)
        {
            connection.ReportedClosed = true;
            Trace.Add($"EOF on {connection.Id}");
            Rules.OnClosed(connection.Id, "connection closed by peer", _decisions);
            Apply();
            return;
        }

        var frame = connection.ToUs.Dequeue();
        var (type, bytes) = frame switch
        {
            ModelFrame.State => (WireMessageType.Control, ControlMessage.StateOf(RunState.Slave).ToBytes()),
            ModelFrame.Ack => (WireMessageType.Control, ControlMessage.AckOf(RunState.Slave).ToBytes()),
            _ => (WireMessageType.PfKey, new byte[16]),
        };
        var verdict = Rules.OnFrame(connection.Id, type, bytes, _decisions);
        Trace.Add($"{frame} on {connection.Id}: {(verdict.Deliver ? $"delivered as {verdict.CarrierId}" : "dropped")}");
        Apply();
        if (verdict.Deliver && frame == ModelFrame.State && EngineCarrier is { } carrier)
        {
            // The engine answers a STATE with an ACK, on its session.
            Send(carrier, ControlMessage.AckOf(RunState.Master).ToBytes());
        }
    }

    private void RestartOriginal()
    {
        Original.Stop();
        _originalStartsAt = Time.GetUtcNow() + TimeSpan.FromMilliseconds(_random.Next(200));
        Trace.Add("original stops");
    }

    private void RestartUs()
    {
        // Our process exits: the kernel closes all we had, our listen queue too.
        foreach (var connection in Network.All.Where(c => c.KnownToUs || _ourListenQueue.Contains(c)))
        {
            connection.ClosedByUs = true;
        }

        _ourListenQueue.Clear();
        _dialPending = false;
        EngineCarrier = null;
        Rules = NewRules();
        Trace.Add("we restart");
    }

    private void Send(long connectionId, byte[] plaintext)
    {
        Rules.OnSent(connectionId, WireMessageType.Control, plaintext);
        Write(connectionId, plaintext);
    }

    private void Write(long connectionId, byte[] plaintext)
    {
        if (Network.Get(connectionId) is { ClosedByUs: false, ClosedByOriginal: false } connection)
        {
            connection.ToOriginal.Enqueue(HelloMessage.IsHello(plaintext) ? ModelFrame.Hello
                : ControlMessage.TryRead(plaintext, out var m) && m.Type == ControlType.State ? ModelFrame.State
                : ModelFrame.Ack);
        }
    }

    private void Apply()
    {
        while (_decisions.Count > 0)
        {
            var decision = _decisions[0];
            _decisions.RemoveAt(0);
            switch (decision)
            {
                case SendControlOn send:
                    Write(send.ConnectionId, send.Plaintext.ToArray());
                    break;
                case CloseConnection close:
                    Trace.Add($"we close {close.ConnectionId}: {close.Reason}");
                    if (Original.Alive && Original.Socket == close.ConnectionId)
                    {
                        Violations.Add($"seed {Seed}: closed {close.ConnectionId}, the original's socket ({close.Reason})");
                    }

                    if (Network.Get(close.ConnectionId) is { } closed)
                    {
                        closed.ClosedByUs = true;
                    }

                    break;
                case CarrierUp up:
                    Trace.Add($"carrier {up.ConnectionId}");
                    EngineCarrier = up.ConnectionId;
                    CarriersUp++;
                    Send(up.ConnectionId, ControlMessage.StateOf(RunState.Master).ToBytes());
                    break;
                case CarrierDown down:
                    if (EngineCarrier == down.ConnectionId)
                    {
                        EngineCarrier = null;
                    }

                    break;
                case StartDial:
                    _dialPending = true;
                    break;
                case SessionLog log:
                    Trace.Add(log.Message);
                    if (log.Level == Microsoft.Extensions.Logging.LogLevel.Warning)
                    {
                        Warnings++;
                    }

                    break;
            }
        }
    }
}
