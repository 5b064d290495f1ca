using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core.Net;
using Sasync.Core.Wire;
using Sasync.Core.Loopback;

namespace Sasync.Tests.Net;

public sealed class PeerNetworkTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly int _port = LoopbackPorts.FreePort();
    private readonly List<IAsyncDisposable> _owned = [];

    /// <summary>Plain test framing: u32 length, u8 type, payload. A length over 1000 is fatal.</summary>
    private sealed class TestDecoder : IFrameDecoder
    {
        public FrameDecodeStatus TryDecode(ref ReadOnlySequence<byte> buffer, out WireMessageType type, out byte[] plaintext, out FrameError error)
        {
            type = default;
            plaintext = [];
            error = FrameError.None;
            if (buffer.Length < 5)
            {
                return FrameDecodeStatus.NeedMoreData;
            }

            Span<byte> head = stackalloc byte[5];
            buffer.Slice(0, 5).CopyTo(head);
            var length = BinaryPrimitives.ReadUInt32BigEndian(head);
            if (length > 1000)
            {
                error = FrameError.BadLength;
                return FrameDecodeStatus.Fatal;
            }

            if (buffer.Length < 5 + length)
            {
                return FrameDecodeStatus.NeedMoreData;
            }

            type = (WireMessageType)head[4];
            plaintext = buffer.Slice(5, length).ToArray();
            buffer = buffer.Slice(5 + length);
            return FrameDecodeStatus.Frame;
        }
    }

    /// <summary>Frames as <see cref="TestDecoder"/> reads them.</summary>
    private sealed class TestEncoder : IFrameEncoder
    {
        public bool TryEncode(WireMessageType type, ReadOnlySpan<byte> plaintext, IBufferWriter<byte> destination, out string error)
        {
            error = "";
            var frame = destination.GetSpan(5 + plaintext.Length);
            BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)plaintext.Length);
            frame[4] = (byte)type;
            plaintext.CopyTo(frame[5..]);
            destination.Advance(5 + plaintext.Length);
            return true;
        }
    }

    private sealed class TestCodec : IFrameCodecFactory
    {
        public IFrameEncoder CreateEncoder() => new TestEncoder();

        public IFrameDecoder CreateDecoder() => new TestDecoder();

        public bool CanEncode(WireMessageType type, int plaintextLength, out string error)
        {
            error = plaintextLength > 1000 ? "too long" : "";
            return plaintextLength <= 1000;
        }
    }

    private static byte[] Text(string text) => System.Text.Encoding.ASCII.GetBytes(text);

    private static byte[] Frame(string text)
    {
        var payload = System.Text.Encoding.ASCII.GetBytes(text);
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)payload.Length);
        frame[4] = (byte)WireMessageType.PfKey;
        payload.CopyTo(frame, 5);
        return frame;
    }

    private sealed class Node
    {
        public required PeerNetwork Network { get; init; }

        public Channel<PeerNetworkEvent> Events { get; } = Channel.CreateUnbounded<PeerNetworkEvent>();

        public ConcurrentDictionary<string, int> Sessions { get; } = new();

        /// <summary>Each peer's latest session.</summary>
        public ConcurrentDictionary<string, long> LinkIds { get; } = new();

        public async Task<T> NextAsync<T>(Func<T, bool>? match = null)
            where T : PeerNetworkEvent
        {
            using var timeout = new CancellationTokenSource(Patience);
            while (true)
            {
                var e = await Events.Reader.ReadAsync(timeout.Token);
                if (e is T typed && (match is null || match(typed)))
                {
                    return typed;
                }
            }
        }
    }

    private Node Start(int index, long maxQueued = 1 << 20, params int[] peers) =>
        Start(index, maxQueued, () => new TestCodec(), NullLogger.Instance, peers);

    private Node Start(int index, long maxQueued, Func<IFrameCodecFactory> codecs, ILogger logger, int[] peers)
    {
        Node? node = null;
        var network = new PeerNetwork(
            new PeerNetworkOptions
            {
                Listen = [new IPEndPoint(LoopbackPorts.Node(index), _port)],
                Port = _port,
                BindAddress = LoopbackPorts.Node(index),
                Peers = [.. peers.Select(p => LoopbackPorts.Node(p).ToString())],
                // No engine answers STATE here, so the handshake timeout must not cut the sessions short.
                Sessions = new Sasync.Core.Sessions.SessionRulesOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(500), HandshakeTimeout = TimeSpan.FromMinutes(5) },
                MaxQueuedBytesPerPeer = maxQueued,
            },
            codecs,
            e =>
            {
                switch (e)
                {
                    case PeerLinkUp up:
                        node!.Sessions.AddOrUpdate(e.Peer, 1, (_, n) => n + 1);
                        node.LinkIds[e.Peer] = up.LinkId;
                        break;
                    case PeerLinkDown: node!.Sessions.AddOrUpdate(e.Peer, -1, (_, n) => n - 1); break;
                }

                return node!.Events.Writer.WriteAsync(e);
            },
            TimeProvider.System,
            logger);
        node = new Node { Network = network };
        _owned.Add(network);
        network.Start();
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_nodes_that_dial_each_other_end_up_with_one_session_that_carries_frames()
    {
        var a = Start(1, peers: 2);
        var b = Start(2, peers: 1);
        await a.NextAsync<PeerLinkUp>();
        await b.NextAsync<PeerLinkUp>();

        // Send until a frame crosses in both directions (a duplicate session may be replaced meanwhile).
        await ExchangeAsync(a, b, "127.0.0.2", "hello from 127.0.0.1");
        await ExchangeAsync(b, a, "127.0.0.1", "hello from 127.0.0.2");
        Assert.Equal(1, a.Sessions["127.0.0.2"]);
        Assert.Equal(1, b.Sessions["127.0.0.1"]);
    }

    /// <summary>A codec whose first sessions fail as a deployment without one of its assemblies does.</summary>
    private sealed class MissingAssemblyCodec(int failures) : IFrameCodecFactory
    {
        private readonly TestCodec _working = new();
        private int _failuresLeft = failures;

        public IFrameEncoder CreateEncoder() => _working.CreateEncoder();

        public IFrameDecoder CreateDecoder() => Interlocked.Decrement(ref _failuresLeft) >= 0
            ? throw new FileNotFoundException("Could not load file or assembly 'BouncyCastle.Cryptography'")
            : _working.CreateDecoder();

        public bool CanEncode(WireMessageType type, int plaintextLength, out string error) => _working.CanEncode(type, plaintextLength, out error);
    }

    [Fact]
    public async Task A_session_whose_codec_cannot_be_made_is_closed_with_an_error_and_the_peer_is_dialled_again()
    {
        var log = new Sasync.Tests.Support.LogCapture();
        var failing = new MissingAssemblyCodec(failures: 3);
        var a = Start(1, 1 << 20, () => failing, log.CreateLogger("net"), [2]);
        var b = Start(2, peers: 1);

        // Once the codec can be made again, a session comes up: the failures ended no loop.
        await a.NextAsync<PeerLinkUp>();
        await b.NextAsync<PeerLinkUp>();
        await ExchangeAsync(a, b, "127.0.0.2", "hello after three failed sessions");
        var errors = log.Entries.Where(e => e.Level == LogLevel.Error).Select(e => e.Message).ToList();
        Assert.Equal(3, errors.Count);
        Assert.All(errors, e => Assert.Contains("peer 127.0.0.2: connection", e, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.Contains("cannot carry a session: FileNotFoundException: Could not load file or assembly 'BouncyCastle.Cryptography'", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_connection_from_an_unconfigured_host_is_refused()
    {
        var a = Start(1, peers: 2);
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        stranger.Bind(new IPEndPoint(LoopbackPorts.Node(3), 0));
        await stranger.ConnectAsync(new IPEndPoint(LoopbackPorts.Node(1), _port));
        var buffer = new byte[1];
        using var timeout = new CancellationTokenSource(Patience);
        var read = await stranger.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        Assert.Equal(0, read);
        Assert.Equal(1, a.Network.RefusedConnections);
        Assert.False(a.Sessions.ContainsKey("127.0.0.3"));
    }

    /// <summary>Sends until the text arrives: a session may still be replaced by a simultaneous one meanwhile.</summary>
    private static async Task ExchangeAsync(Node from, Node to, string toName, string text)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            from.Network.Send(toName, from.LinkIds.GetValueOrDefault(toName), WireMessageType.PfKey, Text(text));
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            wait.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                while (true)
                {
                    if (await to.Events.Reader.ReadAsync(wait.Token) is PeerLinkFrames received)
                    {
                        Assert.All(received.Frames, f => Assert.Equal(text, System.Text.Encoding.ASCII.GetString(f.Plaintext.Span)));
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!timeout.IsCancellationRequested)
            {
            }
        }
    }

    [Fact]
    public async Task The_sender_may_reuse_its_buffer_once_send_returns()
    {
        var a = Start(1, peers: 2);
        var b = Start(2, peers: 1);
        await a.NextAsync<PeerLinkUp>();
        await b.NextAsync<PeerLinkUp>();
        await ExchangeAsync(a, b, "127.0.0.2", "settled");
        Assert.True(a.Network.CopiesPlaintext);

        // One buffer, written over after each send while the frames before it may still wait in the queue.
        var buffer = new byte[8];
        for (var i = 0; i < 500; i++)
        {
            System.Text.Encoding.ASCII.GetBytes($"m{i:D7}", buffer);
            Assert.True(a.Network.Send("127.0.0.2", a.LinkIds["127.0.0.2"], WireMessageType.PfKey, buffer));
        }

        buffer.AsSpan().Fill((byte)'x');
        var received = new List<string>();
        using var timeout = new CancellationTokenSource(Patience);
        while (received.Count < 500)
        {
            if (await b.Events.Reader.ReadAsync(timeout.Token) is PeerLinkFrames frames)
            {
                received.AddRange(frames.Frames.Select(f => System.Text.Encoding.ASCII.GetString(f.Plaintext.Span)).Where(t => t != "settled"));
                frames.Handled?.Invoke();
            }
        }

        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"m{i:D7}"), received);
    }

    [Fact]
    public async Task A_peer_that_restarts_is_reconnected()
    {
        var a = Start(1, peers: 2);
        var b = Start(2, peers: 1);
        await a.NextAsync<PeerLinkUp>();
        await b.Network.DisposeAsync();
        _owned.Remove(b.Network);
        await a.NextAsync<PeerLinkDown>();

        var again = Start(2, peers: 1);
        await again.NextAsync<PeerLinkUp>();
        await ExchangeAsync(a, again, "127.0.0.2", "back");
    }

    [Fact]
    public async Task A_frame_for_an_ended_session_never_reaches_the_next_session_of_that_peer()
    {
        var a = Start(1, peers: 2);
        async Task<(Socket Socket, long LinkId)> ConnectAsPeer2Async()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(LoopbackPorts.Node(2), 0));
            await socket.ConnectAsync(new IPEndPoint(LoopbackPorts.Node(1), _port));
            return (socket, (await a.NextAsync<PeerLinkUp>()).LinkId);
        }

        var (first, firstId) = await ConnectAsPeer2Async();
        first.Dispose();
        await a.NextAsync<PeerLinkDown>(d => d.LinkId == firstId);
        var (second, secondId) = await ConnectAsPeer2Async();
        using (second)
        {
            Assert.NotEqual(firstId, secondId);
            Assert.False(a.Network.Send("127.0.0.2", firstId, WireMessageType.PfKey, Text("old")));
            Assert.True(a.Network.Send("127.0.0.2", secondId, WireMessageType.PfKey, Text("new")));
            // Every connection starts with our HELLO (version 1: this codec has no handshake), then what the session sent.
            var hello = new byte[5 + HelloMessage.V1Size];
            using var timeout = new CancellationTokenSource(Patience);
            for (var got = 0; got < hello.Length;)
            {
                got += await second.ReceiveAsync(hello.AsMemory(got), SocketFlags.None, timeout.Token);
            }

            Assert.Equal((byte)WireMessageType.Control, hello[4]);
            Assert.True(HelloMessage.TryRead(hello.AsSpan(5), out _));
            var expected = Frame("new");
            var received = new byte[expected.Length];
            for (var got = 0; got < received.Length;)
            {
                got += await second.ReceiveAsync(received.AsMemory(got), SocketFlags.None, timeout.Token);
            }

            Assert.Equal(expected, received);
        }
    }

    [Fact]
    public async Task A_bad_frame_closes_only_that_session()
    {
        var a = Start(1, peers: 2);
        await Task.Yield();
        using var fake = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        fake.Bind(new IPEndPoint(LoopbackPorts.Node(2), 0));
        await fake.ConnectAsync(new IPEndPoint(LoopbackPorts.Node(1), _port));
        await a.NextAsync<PeerLinkUp>();
        await fake.SendAsync(new byte[] { 0xff, 0xff, 0xff, 0xff, 1 });
        var down = await a.NextAsync<PeerLinkDown>();
        Assert.Contains("bad frame", down.Reason, StringComparison.Ordinal);
    }

    /// <summary>Node 1 dialling a plain socket at node 2's address, which reads only when the test does.</summary>
    private async Task<(Node Node, Socket Accepted, PeerLinkUp Up)> StartWithRawPeer2Async(long maxQueued)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(LoopbackPorts.Node(2), _port));
        listener.Listen(1);
        var node = Start(1, maxQueued, peers: 2);
        var accepted = await listener.AcceptAsync();
        return (node, accepted, await node.NextAsync<PeerLinkUp>());
    }

    [Fact]
    public async Task A_peer_that_stops_reading_is_dropped_with_bounded_memory()
    {
        // The "peer" accepts and never reads.
        var (a, accepted, up) = await StartWithRawPeer2Async(maxQueued: 256 * 1024);
        using var _ = accepted;

        var payload = Text(new string('x', 900));
        var sent = 0;
        while (a.Network.Send("127.0.0.2", up.LinkId, WireMessageType.PfKey, payload))
        {
            sent++;
            Assert.True(sent < 1_000_000, "the queue never filled up");
            Assert.True(a.Network.QueuedBytes("127.0.0.2") <= 256 * 1024);
        }

        var down = await a.NextAsync<PeerLinkDown>();
        Assert.Contains("cannot keep up", down.Reason, StringComparison.Ordinal);
        Assert.Equal(1, a.Network.SlowPeerDrops);
    }

    [Fact]
    public async Task A_drain_request_is_answered_once_the_peer_reads_what_was_queued()
    {
        var (a, accepted, up) = await StartWithRawPeer2Async(maxQueued: 256 * 1024);
        using var _ = accepted;

        // Fill the socket buffers until frames wait in the queue, well above the drained mark (a quarter). The
        // sender's socket buffer grows as it fills (TCP autotuning), so the queue is topped up until a pause leaves
        // it as full as it was: before, it could drain below the mark by itself and answer the request at once.
        var payload = Text(new string('x', 900));
        long queued;
        do
        {
            while (a.Network.QueuedBytes("127.0.0.2") < 128 * 1024)
            {
                Assert.True(a.Network.Send("127.0.0.2", up.LinkId, WireMessageType.PfKey, payload));
            }

            queued = a.Network.QueuedBytes("127.0.0.2");
            await Task.Delay(50);
        }
        while (a.Network.QueuedBytes("127.0.0.2") < queued);

        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Network.NotifyWhenDrained("127.0.0.2", up.LinkId, () => drained.SetResult());
        Assert.False(drained.Task.IsCompleted);

        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Patience);
        Task<int>? receive = null;
        while (!drained.Task.IsCompleted)
        {
            receive ??= accepted.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).AsTask();
            await Task.WhenAny(drained.Task, receive).WaitAsync(timeout.Token);
            receive = receive.IsCompleted ? null : receive;
        }

        Assert.True(a.Network.QueuedBytes("127.0.0.2") <= 64 * 1024);
        var unknown = false;
        a.Network.NotifyWhenDrained("127.0.0.2", up.LinkId + 1000, () => unknown = true);
        Assert.True(unknown); // no such session: answered at once, so a paced snapshot never waits for nothing
    }
}
