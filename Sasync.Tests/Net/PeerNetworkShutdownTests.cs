using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core.Loopback;
using Sasync.Core.Net;
using Sasync.Core.Wire;

namespace Sasync.Tests.Net;

/// <summary>
/// A node that is stopping stops taking network events (its callback throws OperationCanceledException).
/// Sessions that come up just then must neither break DisposeAsync nor stay open.
/// </summary>
public sealed class PeerNetworkShutdownTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly int _port = LoopbackPorts.FreePort();

    private sealed class NoFrames : IFrameDecoder, IFrameEncoder, IFrameCodecFactory
    {
        public IFrameEncoder CreateEncoder() => this;

        public bool TryEncode(WireMessageType type, ReadOnlySpan<byte> plaintext, IBufferWriter<byte> destination, out string error)
        {
            error = "nothing is sent in these tests";
            return false;
        }

        public IFrameDecoder CreateDecoder() => this;

        public bool CanEncode(WireMessageType type, int plaintextLength, out string error)
        {
            error = "nothing is sent in these tests";
            return false;
        }

        public FrameDecodeStatus TryDecode(ref ReadOnlySequence<byte> buffer, out WireMessageType type, out byte[] plaintext, out FrameError error)
        {
            (type, plaintext, error) = (default, [], FrameError.None);
            return FrameDecodeStatus.NeedMoreData;
        }
    }

    /// <summary>A network on 127.0.0.1 with peer 127.0.0.2 whose owner refuses every event as a stopped node does.</summary>
    private PeerNetwork StoppingOwner(TaskCompletionSource<PeerNetworkEvent> offered) =>
        new(
            new PeerNetworkOptions
            {
                Listen = [new IPEndPoint(LoopbackPorts.Node(1), _port)],
                Port = _port,
                BindAddress = LoopbackPorts.Node(1),
                Peers = ["127.0.0.2"],
                Sessions = new Sasync.Core.Sessions.SessionRulesOptions { InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(100) },
            },
            () => new NoFrames(),
            e =>
            {
                offered.TrySetResult(e);
                return ValueTask.FromCanceled(new CancellationToken(canceled: true));
            },
            TimeProvider.System,
            NullLogger.Instance);

    private static async Task<int> ReadAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            return await socket.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token);
        }
        catch (SocketException)
        {
            return 0;
        }
    }

    [Fact]
    public async Task An_accepted_session_the_owner_no_longer_takes_is_closed_by_dispose_without_error()
    {
        var offered = new TaskCompletionSource<PeerNetworkEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var network = StoppingOwner(offered);
        network.Start();
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        peer.Bind(new IPEndPoint(LoopbackPorts.Node(2), 0));
        await peer.ConnectAsync(new IPEndPoint(LoopbackPorts.Node(1), _port));
        Assert.IsType<PeerLinkUp>(await offered.Task.WaitAsync(Patience));

        await network.DisposeAsync();
        Assert.Equal(0, await ReadAsync(peer));
    }

    [Fact]
    public async Task A_dialled_session_the_owner_no_longer_takes_is_closed_by_dispose_without_error()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(LoopbackPorts.Node(2), _port));
        listener.Listen(4);
        var offered = new TaskCompletionSource<PeerNetworkEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var network = StoppingOwner(offered);
        network.Start();
        using var accepted = await listener.AcceptAsync().WaitAsync(Patience);
        Assert.IsType<PeerLinkUp>(await offered.Task.WaitAsync(Patience));

        await network.DisposeAsync();
        Assert.Equal(0, await ReadAsync(accepted));
    }
}
