using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core;
using Sasync.Core.Hosting;
using Sasync.Core.Loopback;
using Sasync.Core.Net;
using Sasync.Core.Sessions;
using Sasync.Core.Wire;
using Sasync.Tests.Support;

namespace Sasync.Tests.Integration;

/// <summary>
/// An original sasyncd (played by <see cref="OriginalPeer"/> over real TCP) restarts while our dial waits in
/// its listen queue: it dials us and writes STATE, then accepts our dial, which from then on is the only
/// connection it reads. The node must talk on that one and never close it.
/// </summary>
public sealed class OriginalRestartRaceTests : IAsyncDisposable
{
    private readonly int _port = LoopbackPorts.FreePort();
    private readonly Channel<PeerNetworkEvent> _events = Channel.CreateUnbounded<PeerNetworkEvent>();
    private readonly PeerNetwork _network;

    public OriginalRestartRaceTests()
    {
        PeerNetwork? network = null;
        network = new PeerNetwork(
            new PeerNetworkOptions
            {
                Listen = [new IPEndPoint(LoopbackPorts.Node(1), _port)],
                Port = _port,
                BindAddress = LoopbackPorts.Node(1),
                Peers = ["127.0.0.2"],
                Sessions = new SessionRulesOptions { HandshakeTimeout = TimeSpan.FromMinutes(1) },
            },
            () => new SasyncFrameCodec(Scenario.Key),
            e =>
            {
                // As the engine does: STATE on every new session.
                if (e is PeerLinkUp up)
                {
                    network!.Send(up.Peer, up.LinkId, WireMessageType.Control, ControlMessage.StateOf(RunState.Master).ToBytes());
                }

                return _events.Writer.WriteAsync(e);
            },
            TimeProvider.System,
            NullLogger.Instance);
        _network = network;
    }

    public ValueTask DisposeAsync() => _network.DisposeAsync();

    private async Task<T> NextAsync<T>(Func<T, bool> match)
        where T : PeerNetworkEvent
    {
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        while (true)
        {
            if (await _events.Reader.ReadAsync(timeout.Token) is T typed && match(typed))
            {
                return typed;
            }
        }
    }

    [Fact]
    public async Task A_late_dial_of_a_restarted_original_does_not_take_over_from_ours_and_is_closed_once_it_reads_ours()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(LoopbackPorts.Node(2), _port));
        listener.Listen(8);
        _network.Start();
        // Our dial completes in the original's listen queue; it does not accept yet.
        var ours = await NextAsync<PeerLinkUp>(u => u.Outbound);
        // Busy for a while (longer than any "simultaneous" window), then its net_connect dials us and writes STATE.
        await Task.Delay(TimeSpan.FromSeconds(2.1));
        await using var itsDial = await OriginalPeer.ConnectAsync(LoopbackPorts.Node(2), new IPEndPoint(LoopbackPorts.Node(1), _port), Scenario.Key);
        await itsDial.SendAsync(ControlMessage.StateOf(RunState.Slave));
        // Its STATE reaches the engine as a frame of our session, which stays the session.
        var frames = await NextAsync<PeerLinkFrames>(f => f.Frames.Any(x => x.Type == WireMessageType.Control));
        Assert.Equal(ours.LinkId, frames.LinkId);

        // Then it accepts our dial: that is its socket now. It answers each STATE it reads there.
        using var accepted = await listener.AcceptAsync();
        await using var socket = OriginalPeer.Accepted(accepted, Scenario.Key);
        for (var i = 0; i < 2; i++)
        {
            var state = await socket.ReadControlAsync();
            Assert.Equal(ControlType.State, state.Type);
            await socket.SendAsync(ControlMessage.AckOf(RunState.Slave));
        }

        // Now its old dial is known to be abandoned and is closed; ours carries on.
        Assert.Null(await itsDial.ReadAsync());
        Assert.Equal(1, itsDial.HellosIgnored);
        Assert.True(_network.Send("127.0.0.2", ours.LinkId, WireMessageType.PfKey, new byte[] { 2, 3, 0, 2 }));
        var relayed = await socket.ReadAsync();
        Assert.Equal(WireMessageType.PfKey, relayed!.Value.Type);
        Assert.Equal(1, socket.HellosIgnored);
        Assert.Equal(1, _network.SessionStatus()["127.0.0.2"].OpenConnections);
        Assert.False(_events.Reader.TryPeek(out var next) && next is PeerLinkDown, "the session never went down");
    }
}
