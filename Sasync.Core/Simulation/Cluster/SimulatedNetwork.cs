namespace Sasync.Core.Simulation.Cluster;

/// <summary>
/// An in-memory IP network between named hosts (127.0.0.x style addresses): listeners, connects that
/// succeed, are refused (nobody listens) or time out (partitioned, host down), byte streams with
/// drawn delays and chunking, resets, one-way and two-way partitions that heal, extra delays, and hosts
/// that crash and boot again. Every choice comes from the simulation's one <see cref="Random"/>.
/// </summary>
/// <remarks>
/// TCP's behaviour where it matters: order per direction is kept; a segment that cannot be delivered
/// waits (retransmission) and the sender gives up after <see cref="NetworkTimings.RetransmitTimeout"/>;
/// a segment reaching a closed, failed or vanished end is answered with a reset; an idle end never
/// learns that its connection died.
/// </remarks>
internal sealed class SimulatedNetwork(VirtualScheduler scheduler, Random random, SimulationTrace trace, NetworkTimings? timings = null)
{
    private readonly Dictionary<string, Action<SimulatedSocket>> _listeners = new(StringComparer.Ordinal);
    private readonly HashSet<(string From, string To)> _blocked = [];
    private readonly HashSet<string> _downHosts = new(StringComparer.Ordinal);
    private readonly Dictionary<(string From, string To), TimeSpan> _latency = [];
    private readonly Dictionary<(string From, string To), TimeSpan> _extraDelay = [];
    private readonly Dictionary<SimulatedSocket, Pipe> _pipes = [];
    private long _connections;

    public NetworkTimings Timings { get; } = timings ?? new NetworkTimings();

    /// <summary>Connections made since the start.</summary>
    public long Connections => _connections;

    /// <summary>Starts accepting connections to <paramref name="address"/>; false when something already listens there.</summary>
    public bool Listen(string address, Action<SimulatedSocket> accepted)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        if (_listeners.ContainsKey(address))
        {
            return false;
        }

        _listeners[address] = accepted;
        return true;
    }

    public void StopListening(string address) => _listeners.Remove(address);

    /// <summary>
    /// Dials <paramref name="to"/> from <paramref name="from"/>; <paramref name="completed"/> gets the socket,
    /// or null and why not, after a round trip (refused) or <paramref name="timeout"/> (no answer).
    /// </summary>
    public void Connect(string from, string to, TimeSpan timeout, Action<SimulatedSocket?, string?> completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        var there = Latency(from, to);
        scheduler.Schedule(there, () =>
        {
            if (Blocked(from, to) || Blocked(to, from) || _downHosts.Contains(to))
            {
                scheduler.Schedule(timeout - there, () => completed(null, "connection timed out"));
                return;
            }

            var back = Latency(to, from);
            if (!_listeners.TryGetValue(to, out var accept))
            {
                scheduler.Schedule(back, () => completed(null, "connection refused"));
                return;
            }

            var id = ++_connections;
            var client = new SimulatedSocket(this, id, from, to, outbound: true);
            var server = new SimulatedSocket(this, id, to, from, outbound: false);
            client.Peer = server;
            server.Peer = client;
            _pipes[client] = new Pipe();
            _pipes[server] = new Pipe();
            trace.Add("net", $"c{id} {from} -> {to} established");
            accept(server);
            scheduler.Schedule(back, () => completed(client, null));
        });
    }

    /// <summary>Stops traffic from <paramref name="a"/> to <paramref name="b"/>, and back too unless <paramref name="oneWay"/>.</summary>
    public void Partition(string a, string b, bool oneWay)
    {
        _blocked.Add((a, b));
        if (!oneWay)
        {
            _blocked.Add((b, a));
        }

        trace.Add("net", $"partition {a} {(oneWay ? "->" : "<->")} {b}");
    }

    public void Heal(string a, string b)
    {
        _blocked.Remove((a, b));
        _blocked.Remove((b, a));
        trace.Add("net", $"heal {a} <-> {b}");
        Retransmit();
    }

    public void HealAll()
    {
        _blocked.Clear();
        _extraDelay.Clear();
        trace.Add("net", "all partitions healed, delays normal");
        Retransmit();
    }

    /// <summary>Adds <paramref name="extra"/> to the latency between two hosts, both ways (zero removes it).</summary>
    public void SetExtraDelay(string a, string b, TimeSpan extra)
    {
        _extraDelay[(a, b)] = extra;
        _extraDelay[(b, a)] = extra;
        trace.Add("net", $"extra delay {a} <-> {b}: {extra.TotalMilliseconds:0} ms");
    }

    /// <summary>The host crashed: its sockets vanish without a word; segments to it get no answer until it boots.</summary>
    public void CrashHost(string address)
    {
        _downHosts.Add(address);
        _listeners.Remove(address);
        foreach (var socket in _pipes.Keys)
        {
            if (socket.Local == address && !socket.Closed)
            {
                socket.Vanished = true;
                socket.Readable = null;
                socket.Writable = null;
            }
        }

        trace.Add("net", $"host {address} down");
    }

    /// <summary>The host is up again (with none of its old connections): segments to it now get resets.</summary>
    public void BootHost(string address)
    {
        _downHosts.Remove(address);
        trace.Add("net", $"host {address} up");
        Retransmit();
    }

    public bool IsDown(string address) => _downHosts.Contains(address);

    /// <summary>
    /// A middlebox forgets the connections between two hosts: <paramref name="reset"/> sends both ends a
    /// reset; otherwise their segments vanish from now on, so a sender times out and an idle end never knows.
    /// </summary>
    public void DropConnections(string a, string b, bool reset)
    {
        foreach (var (socket, pipe) in _pipes)
        {
            if (socket.Local != a || socket.Remote != b || socket.Closed || socket.Error is not null)
            {
                continue;
            }

            trace.Add("net", $"c{socket.ConnectionId} {(reset ? "reset" : "blackholed")} by a middlebox");
            if (reset)
            {
                var peer = socket.Peer;
                scheduler.Schedule(Latency(b, a), () => socket.Fail("connection reset by peer"));
                scheduler.Schedule(Latency(a, b), () => peer.Fail("connection reset by peer"));
            }
            else
            {
                pipe.Blackholed = true;
                _pipes[socket.Peer].Blackholed = true;
            }
        }
    }

    private bool Blocked(string from, string to) => _blocked.Contains((from, to));

    private TimeSpan Latency(string from, string to)
    {
        if (!_latency.TryGetValue((from, to), out var latency))
        {
            var spread = Timings.MaxLatency.Ticks - Timings.MinLatency.Ticks;
            latency = TimeSpan.FromTicks(Timings.MinLatency.Ticks + (long)(random.NextDouble() * spread));
            _latency[(from, to)] = latency;
        }

        return latency + _extraDelay.GetValueOrDefault((from, to));
    }

    internal void Transmit(SimulatedSocket sender, byte[] data)
    {
        // Frames split anywhere: one write in four arrives in two to four pieces.
        if (data.Length < 2 || random.Next(4) != 0)
        {
            Send(sender, Segment.Data(data));
            return;
        }

        var cuts = new SortedSet<int>();
        var wanted = random.Next(1, Math.Min(4, data.Length));
        while (cuts.Count < wanted)
        {
            cuts.Add(random.Next(1, data.Length));
        }

        var offset = 0;
        foreach (var cut in cuts.Append(data.Length))
        {
            Send(sender, Segment.Data(data[offset..cut]));
            offset = cut;
        }
    }

    internal void SendFin(SimulatedSocket sender) => Send(sender, Segment.Fin);

    internal void SendReset(SimulatedSocket sender)
    {
        // A reset is not queued behind data: the receiver drops what is still in flight.
        var pipe = _pipes[sender];
        pipe.Held.Clear();
        scheduler.Schedule(Latency(sender.Local, sender.Remote), () => Deliver(sender, Segment.Reset));
    }

    internal void Consumed(SimulatedSocket reader, int count)
    {
        var writer = reader.Peer;
        scheduler.Schedule(Latency(reader.Local, reader.Remote), () =>
        {
            writer.Unread -= count;
            if (!writer.Closed && writer.Error is null)
            {
                writer.Drained();
            }
        });
    }

    private void Send(SimulatedSocket sender, Segment segment)
    {
        var pipe = _pipes[sender];
        var jitter = TimeSpan.FromTicks((long)(random.NextDouble() * Latency(sender.Local, sender.Remote).Ticks / 2));
        var due = Math.Max(pipe.LastDueTicks, scheduler.NowTicks + (Latency(sender.Local, sender.Remote) + jitter).Ticks);
        pipe.LastDueTicks = due;
        scheduler.Schedule(TimeSpan.FromTicks(due - scheduler.NowTicks), () => Deliver(sender, segment));
    }

    private void Deliver(SimulatedSocket sender, Segment segment)
    {
        if (!_pipes.TryGetValue(sender, out var pipe) || pipe.TimedOut)
        {
            return;
        }

        var target = sender.Peer;
        if (pipe.Held.Count > 0 || pipe.Blackholed || Blocked(sender.Local, target.Local) || _downHosts.Contains(target.Local))
        {
            Hold(sender, pipe, segment);
            return;
        }

        if (target.Vanished || target.Error is not null || (target.Closed && segment.Kind == SegmentKind.Data))
        {
            // Nobody there for it any more: the receiving host answers with a reset.
            if (segment.Kind != SegmentKind.Reset)
            {
                scheduler.Schedule(Latency(target.Local, sender.Local), () =>
                {
                    if (!sender.Closed)
                    {
                        trace.Add("net", $"c{sender.ConnectionId} reset by {target.Local}");
                    }

                    sender.Fail("connection reset by peer");
                });
            }

            return;
        }

        switch (segment.Kind)
        {
            case SegmentKind.Data:
                target.Arrive(segment.Bytes!);
                break;
            case SegmentKind.Fin:
                target.ArriveFin();
                break;
            case SegmentKind.Reset:
                target.Fail("connection reset by peer");
                break;
        }
    }

    private void Hold(SimulatedSocket sender, Pipe pipe, Segment segment)
    {
        pipe.Held.Enqueue(segment);
        if (pipe.Held.Count > 1)
        {
            return;
        }

        var since = ++pipe.HoldGeneration;
        scheduler.Schedule(Timings.RetransmitTimeout, () =>
        {
            if (pipe.HoldGeneration != since || pipe.Held.Count == 0 || pipe.TimedOut)
            {
                return;
            }

            pipe.TimedOut = true;
            pipe.Held.Clear();
            trace.Add("net", $"c{sender.ConnectionId} {sender.Local} gives up on {sender.Remote}: timed out");
            sender.Fail("connection timed out");
        });
    }

    // After a heal or a boot: what waited goes out again, in order.
    private void Retransmit()
    {
        foreach (var (sender, pipe) in _pipes)
        {
            if (pipe.Held.Count == 0 || pipe.TimedOut || pipe.Blackholed || Blocked(sender.Local, sender.Remote) || _downHosts.Contains(sender.Remote))
            {
                continue;
            }

            var held = pipe.Held.ToArray();
            pipe.Held.Clear();
            pipe.HoldGeneration++;
            pipe.LastDueTicks = Math.Max(pipe.LastDueTicks, scheduler.NowTicks);
            foreach (var segment in held)
            {
                Send(sender, segment);
            }
        }
    }

    private sealed class Pipe
    {
        public long LastDueTicks { get; set; }

        public Queue<Segment> Held { get; } = new();

        public long HoldGeneration { get; set; }

        public bool TimedOut { get; set; }

        public bool Blackholed { get; set; }
    }

    private enum SegmentKind
    {
        Data,
        Fin,
        Reset,
    }

    private readonly record struct Segment(SegmentKind Kind, byte[]? Bytes)
    {
        public static Segment Data(byte[] bytes) => new(SegmentKind.Data, bytes);

        public static readonly Segment Fin = new(SegmentKind.Fin, null);

        public static readonly Segment Reset = new(SegmentKind.Reset, null);
    }
}
