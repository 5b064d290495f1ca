using System.Net;
using Microsoft.Extensions.Time.Testing;
using Sasync.Core;
using Sasync.Core.Net;
using Sasync.Core.Sessions;
using Sasync.Core.Wire;

namespace Sasync.Tests.Sessions;

/// <summary>
/// Two sasyncd-cs nodes, each with its <see cref="PeerSessionRules"/> for the other, over an in-memory network
/// with a stand-in engine (STATE on each new carrier, ACK to each STATE). Steps come from one seed. With a
/// <see cref="ChannelHandshake"/> per node the connections negotiate the channel; each frame is marked with
/// the codec it was written in, and one read by the other codec counts as a <see cref="Node.CodecMismatches"/>.
/// </summary>
internal sealed class TwoNodesHarness
{
    private readonly Random _random;
    private readonly List<Pipe> _pipes = [];
    private long _nextId;
    private int _instances;

    public TwoNodesHarness(int seed, ChannelHandshake? low = null, ChannelHandshake? high = null)
    {
        _random = new Random(seed);
        Low = new Node(this, IPAddress.Parse("192.0.2.1"), "192.0.2.2", low);
        High = new Node(this, IPAddress.Parse("192.0.2.2"), "192.0.2.1", high);
        Low.Start();
        High.Start();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    public Node Low { get; }

    public Node High { get; }

    public List<string> Trace { get; } = [];

    public void Step(bool faults)
    {
        List<Action> actions = [() => Time.Advance(TimeSpan.FromMilliseconds(1 + _random.Next(40)))];
        foreach (var node in new[] { Low, High })
        {
            if (node.DialPending) { actions.Add(node.CompleteDial); }
            if (node.ListenQueue.Count > 0) { actions.Add(node.Accept); }
            var readable = _pipes.Where(p => p.Readable(node)).ToList();
            if (readable.Count > 0) { actions.Add(() => node.Read(readable[_random.Next(readable.Count)])); }
            if (faults && _random.Next(20) == 0) { actions.Add(node.Restart); }
        }

        actions[_random.Next(actions.Count)]();
        Low.Poll();
        High.Poll();
    }

    /// <summary>Both ends carry on the same connection, hold no other, and nothing is in flight.</summary>
    public bool Settled =>
        Low.Rules.CarrierId is { } carrier && High.Rules.CarrierId == carrier && Low.EngineCarrier == carrier && High.EngineCarrier == carrier
        && Low.Rules.OpenConnections == 1 && High.Rules.OpenConnections == 1
        && !Low.DialPending && !High.DialPending && Low.ListenQueue.Count == 0 && High.ListenQueue.Count == 0
        && _pipes.All(p => p.Idle);

    internal sealed class Pipe(long id, Node dialler, Node acceptor)
    {
        public long Id { get; } = id;

        public Node Dialler { get; } = dialler;

        public Node Acceptor { get; } = acceptor;

        public Queue<(bool Extended, byte[] Plaintext)> ToDialler { get; } = new();

        public Queue<(bool Extended, byte[] Plaintext)> ToAcceptor { get; } = new();

        /// <summary>The nodes whose encoder (writes) or decoder (reads) on this pipe is the extended one.</summary>
        public HashSet<Node> ExtendedWriters { get; } = [];

        public HashSet<Node> ExtendedReaders { get; } = [];

        public bool Closed { get; set; }

        public HashSet<Node> Reported { get; } = [];

        public HashSet<Node> Opened { get; } = [];

        public Queue<(bool Extended, byte[] Plaintext)> Inbox(Node node) => node == Dialler ? ToDialler : ToAcceptor;

        public bool Readable(Node node) => Opened.Contains(node) && !Reported.Contains(node) && (Inbox(node).Count > 0 || Closed);

        public bool Idle => Closed || (ToDialler.Count == 0 && ToAcceptor.Count == 0);
    }

    internal sealed class Node(TwoNodesHarness net, IPAddress address, string peer, ChannelHandshake? handshake)
    {
        private readonly List<SessionDecision> _decisions = [];

        public IPAddress Address { get; } = address;

        public PeerSessionRules Rules { get; private set; } = null!;

        public Queue<Pipe> ListenQueue { get; } = new();

        public bool DialPending { get; private set; }

        public long? EngineCarrier { get; private set; }

        public int CarriersUp { get; private set; }

        /// <summary>The channel the engine was told with the last carrier.</summary>
        public PeerChannel? EngineChannel { get; private set; }

        /// <summary>Frames read with the other codec than they were written in: a switch point that does not line up.</summary>
        public int CodecMismatches { get; private set; }

        /// <summary>Connections closed with a rejected frame (a FINISHED that did not verify).</summary>
        public int Rejected { get; private set; }

        public List<SessionLog> Logs { get; } = [];

        /// <summary>Rewrites a frame as this node reads it (the attacker between the two), or null to read it unchanged.</summary>
        public Func<byte[], byte[]>? Tamper { get; set; }

        private Node Other => this == net.Low ? net.High : net.Low;

        public void Start()
        {
            Rules = new PeerSessionRules(peer, new HelloMessage(HelloMessage.CurrentVersion, 0, (UInt128)(++net._instances)), new SessionRulesOptions(), net.Time, net._random, bytes => net._random.NextBytes(bytes));
            EngineCarrier = null;
            DialPending = false;
            Poll();
        }

        public void Restart()
        {
            net.Trace.Add($"{Address} restarts");
            foreach (var pipe in net._pipes.Where(p => p.Dialler == this || p.Acceptor == this))
            {
                pipe.Closed = true;
                pipe.Reported.Add(this);
            }

            ListenQueue.Clear();
            Start();
        }

        public void Poll()
        {
            Rules.Poll(_decisions);
            Apply();
        }

        public void CompleteDial()
        {
            DialPending = false;
            var pipe = new Pipe(++net._nextId, this, Other);
            net._pipes.Add(pipe);
            pipe.Opened.Add(this);
            Other.ListenQueue.Enqueue(pipe);
            net.Trace.Add($"{Address} dialled {pipe.Id}");
            Rules.OnOpened(pipe.Id, ConnectionDirection.Outbound, Address, handshake, _decisions);
            Apply();
        }

        public void Accept()
        {
            var pipe = ListenQueue.Dequeue();
            pipe.Opened.Add(this);
            net.Trace.Add($"{Address} accepts {pipe.Id}");
            Rules.OnOpened(pipe.Id, ConnectionDirection.Inbound, pipe.Dialler.Address, handshake, _decisions);
            Apply();
        }

        public void Read(Pipe pipe)
        {
            var inbox = pipe.Inbox(this);
            if (inbox.Count == 0)
            {
                pipe.Reported.Add(this);
                net.Trace.Add($"{Address}: EOF on {pipe.Id}");
                Rules.OnClosed(pipe.Id, "connection closed by peer", _decisions);
                Apply();
                return;
            }

            var (extended, frame) = inbox.Dequeue();
            if (extended != pipe.ExtendedReaders.Contains(this))
            {
                // A real decoder fails on such a frame: the connection would close as a bad frame.
                CodecMismatches++;
                net.Trace.Add($"{Address}: frame on {pipe.Id} written {(extended ? "extended" : "legacy")}, read with the other codec");
            }

            frame = Tamper?.Invoke(frame) ?? frame;
            var verdict = Rules.OnFrame(pipe.Id, WireMessageType.Control, frame, _decisions);
            Apply();
            if (verdict.Deliver && ControlMessage.TryRead(frame, out var message) && message.Type == ControlType.State && EngineCarrier is { } carrier)
            {
                Send(carrier, ControlMessage.AckOf(RunState.Slave).ToBytes());
            }
        }

        private void Send(long id, byte[] plaintext)
        {
            Rules.OnSent(id, WireMessageType.Control, plaintext);
            Write(id, plaintext);
        }

        private void Write(long id, byte[] plaintext)
        {
            if (net._pipes.FirstOrDefault(p => p.Id == id) is { Closed: false } pipe)
            {
                (this == pipe.Dialler ? pipe.ToAcceptor : pipe.ToDialler).Enqueue((pipe.ExtendedWriters.Contains(this), plaintext));
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
                        net.Trace.Add($"{Address} closes {close.ConnectionId}: {close.Reason}");
                        Rejected += close.Rejected is null ? 0 : 1;
                        if (net._pipes.FirstOrDefault(p => p.Id == close.ConnectionId) is { } pipe)
                        {
                            pipe.Closed = true;
                            pipe.Reported.Add(this);
                        }

                        break;
                    case SwitchToExtendedEncoder encoder when net._pipes.FirstOrDefault(p => p.Id == encoder.ConnectionId) is { } writing:
                        writing.ExtendedWriters.Add(this);
                        break;
                    case SwitchToExtendedDecoder decoder when net._pipes.FirstOrDefault(p => p.Id == decoder.ConnectionId) is { } reading:
                        reading.ExtendedReaders.Add(this);
                        break;
                    case CarrierUp up:
                        net.Trace.Add($"{Address} carrier {up.ConnectionId} ({up.Channel})");
                        EngineCarrier = up.ConnectionId;
                        EngineChannel = up.Channel;
                        CarriersUp++;
                        Send(up.ConnectionId, ControlMessage.StateOf(RunState.Slave).ToBytes());
                        break;
                    case CarrierDown down when EngineCarrier == down.ConnectionId:
                        EngineCarrier = null;
                        break;
                    case StartDial:
                        DialPending = true;
                        break;
                    case SessionLog log:
                        Logs.Add(log);
                        net.Trace.Add($"{Address}: {log.Message}");
                        break;
                }
            }
        }
    }
}
