using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Loopback;
using Sasync.Core.Net;

namespace Sasync.Tests.Net;

/// <summary>The peer listener never shares its address and port, yet binds again at once after a restart.</summary>
public sealed class ExclusiveListenTests
{
    private static readonly SharedKey Key = new(Convert.FromHexString("00112233445566778899aabbccddeeff"));
    private readonly int _port = LoopbackPorts.FreePort();

    private PeerNetwork Network(int node) =>
        new(
            new PeerNetworkOptions
            {
                Listen = [new IPEndPoint(LoopbackPorts.Node(node), _port)],
                Port = _port,
                BindAddress = LoopbackPorts.Node(node),
                Peers = ["127.0.0.2"],
            },
            () => new SasyncFrameCodec(Key),
            _ => ValueTask.CompletedTask,
            TimeProvider.System,
            NullLogger.Instance);

    [Fact]
    public async Task A_second_network_on_the_same_address_and_port_fails_with_the_message()
    {
        await using var first = Network(1);
        first.Start();
        await using var second = Network(1);

        var failure = Assert.Throws<ListenFailedException>(second.Start);
        Assert.Equal($"cannot listen on 127.0.0.1 port {_port}: address already in use", failure.Message);
    }

    [Fact]
    public async Task A_plain_listener_on_the_address_and_port_makes_start_fail()
    {
        using var plain = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        plain.Bind(new IPEndPoint(LoopbackPorts.Node(1), _port));
        plain.Listen();
        await using var network = Network(1);

        var failure = Assert.Throws<ListenFailedException>(network.Start);
        Assert.Equal($"cannot listen on 127.0.0.1 port {_port}: address already in use", failure.Message);
    }

    [Fact]
    public async Task A_restart_binds_again_while_the_old_connections_are_in_time_wait()
    {
        var first = Network(1);
        first.Start();
        using (var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            peer.Bind(new IPEndPoint(LoopbackPorts.Node(2), 0));
            await peer.ConnectAsync(new IPEndPoint(LoopbackPorts.Node(1), _port));
            // The node writes its HELLO on the connection: it was accepted.
            var buffer = new byte[64];
            Assert.True(await peer.ReceiveAsync(buffer, SocketFlags.None) > 0);
            // The node closes first, so its end (on the listen port) goes to TIME_WAIT.
            await first.DisposeAsync();
            while (await peer.ReceiveAsync(buffer, SocketFlags.None) > 0)
            {
                // The rest of the HELLO, then the end of the stream.
            }
        }

        await using var second = Network(1);
        second.Start();
        Assert.Equal(_port, Assert.Single(second.ListenEndPoints).Port);
    }
}
