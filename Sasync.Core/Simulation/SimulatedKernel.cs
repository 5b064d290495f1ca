using System.Net;
using Sasync.Core.Platform;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// An in-memory OpenBSD key engine: the SADB, the SPD and the PF_KEY sockets (clients) of one host,
/// with the kernel's checks, replies, errno values, promiscuous copies and sysctl dumps
/// (pfkeyv2.c 1.272, pfkeyv2_parsemessage.c 1.64).
/// </summary>
/// <remarks>
/// Threading: every member may be called from any thread. One lock guards all state; a write is
/// checked, copied to promiscuous listeners, executed and answered as one step, so every client
/// sees the messages of one write together and in the kernel's order (promiscuous copy, then
/// reply). Delivery never blocks: each client has a bounded queue and a message that does not fit
/// is dropped for that client only and counted (see <see cref="SimulatedKernelOptions.ClientQueueCapacity"/>).
/// Memory: a write is parsed, executed and answered in the kernel's scratch buffers, and the SAs and flows keep
/// their extensions in an <see cref="ExtensionArena"/> and are reused once removed, so ADD, UPDATE, DELETE,
/// X_ADDFLOW and X_DELFLOW allocate nothing once the tables stop growing.
/// </remarks>
public sealed partial class SimulatedKernel
{
    /// <summary>PFKEY_MSG_MAXSZ: longer writes fail with EMSGSIZE.</summary>
    public const int MaxMessageSize = 4096;

    // Execute() result for commands that sent their own answer (SADB_DUMP).
    private const int Answered = -1;

    private readonly Lock _lock = new();
    private readonly List<SimulatedKeyClient> _clients = [];
    // While a write runs (under _lock): the clients it delivered to whose reader waits, woken when it is done.
    private readonly List<SimulatedKeyClient> _toWake = [];
    private bool _writing;
    // Open write runs (IKeyEngineWriteRun): while any is, writes leave their wake-ups to its end. Counted without
    // _lock, so that a run that writes nothing (a node's batch of control frames) does not wait for a dump listing
    // its entries under the lock (measured: failovers 40-990 ms late at 1 000 000 tunnels).
    private int _writeRuns;
    // Set under _lock when _toWake gets a reader, cleared when it is woken; read without it by EndWriteRun.
    private volatile bool _wakeOwed;
    // Linked lists keep the insertion order the dumps show and let an entry leave in O(1) (a List's
    // Remove was a linear scan per DELETE, X_DELFLOW and larval UPDATE); their links are in the entries.
    private readonly EntryList<SadbEntry> _sadb = new();
    // Indexes for the lookups every ADD and X_ADDFLOW makes, which were linear scans (quadratic for big tables).
    // Sets of the entries themselves, searched by a key value: no key copy per entry, nothing allocated per lookup.
    private readonly HashSet<SadbEntry> _sadbIndex = new(SadbEntry.KeyComparer.Instance);
    private readonly HashSet<SadbEntry>.AlternateLookup<SaKey> _sadbByKey;
    private readonly HashSet<SpdEntry> _spdIndex = new(SpdEntry.KeyComparer.Instance);
    private readonly HashSet<SpdEntry>.AlternateLookup<FlowKey> _spdByKey;
    private readonly EntryList<SpdEntry> _spd = new(); // oldest first: appending is cheap; read backwards for ipsec_policy_head's newest-first order
    // How many SAs have a Next (X_GRPSPIS bundles): removing an SA scans for links to it only when some exist.
    private int _bundleLinks;
    private readonly Random _random;
    // The request every write is parsed into: writes run one at a time under _lock, and nothing keeps
    // the request after the write (the entries copy what they keep to _groups), so one is reused.
    private readonly KernelRequest _request = new(default);
    // The same for the records of an SADB_DUMP over the socket, built while _request is still in use.
    private readonly KernelRequest _record = new(default);
    private readonly ExtensionGroups _groups = new(new ExtensionArena());
    // Removed entries, all kept for reuse: a table refilled after a FLUSH (a snapshot under flushmode startup, each
    // one in bench sync's failover rounds) takes them back instead of making 100 000s of new long-lived objects while
    // the old ones wait in the oldest generation for a full collection (measured: 180 MB of fragmentation).
    // The kernel then holds at most the entries of its fullest table, as its arena holds the bytes of it.
    private readonly Stack<SadbEntry> _spareSas = new();
    private readonly Stack<SpdEntry> _spareFlows = new();
    // The kernel's copy of the message being written, behind room for the promiscuous header: _request's slots slice it.
    private readonly byte[] _written = new byte[SadbHeader.Size + MaxMessageSize];
    // Where replies and dump records are built, behind room for the promiscuous header of a unicast's copies.
    private byte[] _reply = new byte[SadbHeader.Size + MaxMessageSize];
    // What GET and the socket's SADB_DUMP export an SA to; _request's or _record's slots slice it.
    private byte[] _export = new byte[MaxMessageSize];

    /// <summary>An empty kernel (no SAs, no flows, no clients).</summary>
    /// <param name="options">Its limits and behaviour; the defaults when null.</param>
    public SimulatedKernel(SimulatedKernelOptions? options = null)
    {
        Options = options ?? new SimulatedKernelOptions();
        _random = Options.RandomSeed is { } seed ? new Random(seed) : new Random();
        _sadbByKey = _sadbIndex.GetAlternateLookup<SaKey>();
        _spdByKey = _spdIndex.GetAlternateLookup<FlowKey>();
    }

    /// <summary>The options the kernel was made with.</summary>
    public SimulatedKernelOptions Options { get; }

    /// <summary>Opens a PF_KEY socket for the process <paramref name="pid"/> in <paramref name="routingDomain"/>.</summary>
    public SimulatedKeyClient OpenClient(uint pid, uint routingDomain = 0)
    {
        var client = new SimulatedKeyClient(this, pid, routingDomain, Options.ClientQueueCapacity);
        lock (_lock)
        {
            _clients.Add(client);
        }

        return client;
    }

    /// <summary>The SAs of all routing domains, larval ones included.</summary>
    public IReadOnlyList<SimulatedSa> Sas
    {
        get
        {
            lock (_lock)
            {
                var sas = new List<SimulatedSa>(_sadb.Count);
                foreach (var entry in _sadb)
                {
                    sas.Add(entry.ToSnapshot());
                }

                return sas;
            }
        }
    }

    /// <summary>How many SAs the SADB holds (larval ones included), without copying them.</summary>
    public int SaCount
    {
        get
        {
            lock (_lock)
            {
                return _sadb.Count;
            }
        }
    }

    /// <summary>How many distinct extension groups the SAs and flows share (see <see cref="ExtensionGroups"/>).</summary>
    internal int ExtensionGroupCount
    {
        get
        {
            lock (_lock)
            {
                return _groups.Count;
            }
        }
    }

    /// <summary>How many flows the SPD holds, without copying them.</summary>
    public int FlowCount
    {
        get
        {
            lock (_lock)
            {
                return _spd.Count;
            }
        }
    }

    /// <summary>The flows of all routing domains, newest first (the SPD dump order).</summary>
    public IReadOnlyList<SimulatedFlow> Flows
    {
        get
        {
            lock (_lock)
            {
                var flows = new List<SimulatedFlow>(_spd.Count);
                for (var entry = _spd.Last; entry is not null; entry = entry.Previous)
                {
                    flows.Add(entry.ToSnapshot());
                }

                return flows;
            }
        }
    }

    /// <summary>The open clients.</summary>
    public IReadOnlyList<SimulatedKeyClient> Clients
    {
        get
        {
            lock (_lock)
            {
                return [.. _clients];
            }
        }
    }

    /// <summary>
    /// Sets an SA's path MTU, as ICMP "fragmentation needed" does on a real host; the SADB dump then
    /// carries X_MTU for it. False when no such SA exists.
    /// </summary>
    public bool TrySetMtu(SadbSaType saType, uint spi, IPAddress destination, uint mtu, uint routingDomain = 0)
    {
        lock (_lock)
        {
            var entry = Find(new SaKey(saType, spi, AddressKey.From(destination), routingDomain));
            if (entry is null)
            {
                return false;
            }

            entry.Mtu = mtu;
            return true;
        }
    }

    internal void Close(SimulatedKeyClient client)
    {
        lock (_lock)
        {
            _clients.Remove(client);
        }
    }

    /// <summary>pfkeyv2_output + pfkeyv2_dosend for a message <paramref name="writer"/> wrote.</summary>
    internal void Write(SimulatedKeyClient writer, ReadOnlyMemory<byte> message)
    {
        lock (_lock)
        {
            _writing = true;
            try
            {
                WriteLocked(writer, message);
            }
            finally
            {
                _writing = false;
                if (_wakeOwed)
                {
                    // A full fence between setting _wakeOwed and reading _writeRuns, as EndWriteRun has one between its
                    // decrement and its read of _wakeOwed: one of the two sees the other, so no wake-up is lost.
                    Interlocked.MemoryBarrier();
                    if (Volatile.Read(ref _writeRuns) == 0)
                    {
                        WakeReaders();
                    }
                }
            }
        }
    }

    /// <summary>Starts a write run (see <see cref="IKeyEngineWriteRun"/>): until it ends, writes wake no reader.</summary>
    internal void BeginWriteRun() => Interlocked.Increment(ref _writeRuns);

    /// <summary>Ends a write run; the outermost wakes the readers its writes (and any made meanwhile) owe a wake-up.</summary>
    internal void EndWriteRun()
    {
        var open = Interlocked.Decrement(ref _writeRuns);
        if (open < 0)
        {
            Interlocked.Increment(ref _writeRuns);
            throw new InvalidOperationException("no write run to end");
        }

        if (open == 0 && _wakeOwed)
        {
            lock (_lock)
            {
                if (Volatile.Read(ref _writeRuns) == 0)
                {
                    WakeReaders();
                }
            }
        }
    }

    private void WriteLocked(SimulatedKeyClient writer, ReadOnlyMemory<byte> message)
    {
        if (!_clients.Contains(writer))
        {
            throw new ObjectDisposedException(nameof(SimulatedKeyClient));
        }

        if (message.Length > MaxMessageSize)
        {
            throw Refusal(OpenBsdErrno.EMSGSIZE, $"message of {message.Length} bytes is longer than {MaxMessageSize}");
        }

        // The kernel works on its own copy of the message, and that copy is the body of the
        // promiscuous copy; the request's extension slots slice it.
        var copy = _written.AsSpan(0, SadbHeader.Size + message.Length);
        message.Span.CopyTo(copy[SadbHeader.Size..]);
        KernelLayout.WritePromiscuousHeader(copy, writer.Pid);
        var request = _request;
        if (!KernelMessageValidator.TryValidate(_written.AsMemory(SadbHeader.Size, message.Length), writer.Pid, request, out var reason))
        {
            throw Refusal(OpenBsdErrno.EINVAL, reason);
        }

        // Before the command runs, whatever its outcome: to every promiscuous socket, the writer's included.
        foreach (var client in _clients)
        {
            if (client.IsPromiscuous && client.RoutingDomain == writer.RoutingDomain)
            {
                Deliver(client, copy);
            }
        }

        var errno = Execute(writer, request, out reason);
        if (errno == Answered)
        {
            return;
        }

        if (errno is OpenBsdErrno.EINVAL or OpenBsdErrno.ENOMEM or OpenBsdErrno.ENOBUFS)
        {
            throw Refusal(errno, reason);
        }

        if (errno != 0)
        {
            request.ClearExtensions();
            request.Header = request.Header with { Errno = (byte)errno };
        }
        else if (!KernelExtensionRules.IsValidReply(request.Type, request.Seen()))
        {
            // The command took effect, but the reply would carry extensions the kernel may not send.
            throw Refusal(OpenBsdErrno.EPERM, $"the {request.Type} reply would carry extensions not allowed out (the command itself took effect)");
        }

        var reply = ReplyBuffer(request.ReplyLength);
        request.WriteReply(reply);
        request.ClearExtensions(); // they slice _written and _export, which the next write reuses
        Broadcast(reply, writer.RoutingDomain);
        if (errno != 0 && Options.ThrowOnReplyErrno)
        {
            throw Refusal(errno, reason);
        }
    }

    /// <summary>
    /// Queues <paramref name="message"/> for <paramref name="client"/>. During a write, a reader waiting for it is woken
    /// once the write has delivered everything (its promiscuous copy and its reply are one wake-up, not two, and the
    /// reader does not wake to find half of them), or, in a write run, once the run ends; otherwise at once.
    /// </summary>
    private void Deliver(SimulatedKeyClient client, ReadOnlySpan<byte> message)
    {
        if (client.Deliver(message, wakeNow: !_writing) && !_toWake.Contains(client))
        {
            _toWake.Add(client); // once: a run's writes would add a waiting reader once each
            _wakeOwed = true;
        }
    }

    private void WakeReaders()
    {
        foreach (var client in _toWake)
        {
            client.WakeReader();
        }

        _toWake.Clear();
        _wakeOwed = false;
    }

    private static KeyEngineException Refusal(int errno, string reason) => new(errno, $"PF_KEY write refused, errno {errno}: {reason}");

    private void Broadcast(ReadOnlySpan<byte> message, uint routingDomain)
    {
        foreach (var client in _clients)
        {
            if (client.RoutingDomain == routingDomain)
            {
                Deliver(client, message);
            }
        }
    }

    /// <summary>Room for a reply or record of <paramref name="length"/> bytes in <see cref="_reply"/>, behind the room for a promiscuous header.</summary>
    private Span<byte> ReplyBuffer(int length)
    {
        if (SadbHeader.Size + length > _reply.Length)
        {
            _reply = new byte[SadbHeader.Size + length];
        }

        return _reply.AsSpan(SadbHeader.Size, length);
    }

    /// <summary>
    /// PFKEYV2_SENDMESSAGE_UNICAST of the <paramref name="length"/> bytes <see cref="ReplyBuffer"/> holds: raw to the
    /// requester, wrapped (seq 0) to every other promiscuous socket.
    /// </summary>
    private void Unicast(int length, SimulatedKeyClient requester)
    {
        // Woken at once: the records of a socket's SADB_DUMP come this way, read while the kernel goes on.
        requester.Deliver(_reply.AsSpan(SadbHeader.Size, length));
        var copy = _reply.AsSpan(0, SadbHeader.Size + length);
        KernelLayout.WritePromiscuousHeader(copy, 0);
        foreach (var client in _clients)
        {
            if (client != requester && client.IsPromiscuous && client.RoutingDomain == requester.RoutingDomain)
            {
                client.Deliver(copy);
            }
        }
    }

    private SadbEntry? Find(SaKey key) => _sadbByKey.TryGetValue(key, out var entry) ? entry : null;

    private void AddSa(SadbEntry entry)
    {
        _sadb.AddLast(entry);
        Index(entry);
    }

    /// <summary>An entry to fill for a new SA: a removed one when there is one.</summary>
    private SadbEntry NewSa() => _spareSas.TryPop(out var spare) ? spare : new SadbEntry();

    /// <summary>Takes the SA out of the list, the index and every bundle, and keeps its entry for reuse.</summary>
    private void RemoveSa(SadbEntry entry)
    {
        _sadb.Remove(entry);
        _sadbByKey.Remove(entry.Key);
        Unlink(entry);
        Recycle(entry);
    }

    /// <summary>Frees the kept extensions of an entry no list or index holds any more, and keeps it for reuse.</summary>
    private void Recycle(SadbEntry entry)
    {
        entry.Release(_groups);
        _spareSas.Push(entry);
    }

    /// <summary>Makes <paramref name="entry"/> the one its key finds (replacing any other entry of that key, as a map would).</summary>
    private void Index(SadbEntry entry)
    {
        _sadbByKey.Remove(entry.Key);
        _sadbIndex.Add(entry);
    }

    private SpdEntry? FindFlow(uint routingDomain, FlowSpec flow) => _spdByKey.TryGetValue(new FlowKey(routingDomain, flow), out var entry) ? entry : null;

    private void AddFlow(SpdEntry entry)
    {
        _spd.AddLast(entry);
        _spdIndex.Add(entry);
    }

    /// <summary>An entry for a new flow: a removed one when there is one.</summary>
    private SpdEntry NewFlow(FlowSpec flow, uint routingDomain)
    {
        var entry = _spareFlows.TryPop(out var spare) ? spare : new SpdEntry();
        entry.Reset(flow, routingDomain);
        return entry;
    }

    private void RemoveFlow(SpdEntry entry)
    {
        _spd.Remove(entry);
        _spdIndex.Remove(entry);
        entry.Release(_groups);
        _spareFlows.Push(entry);
    }
}
