using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Loopback;
using Sasync.Core.Net;

namespace Sasync.Tests.Net;

/// <summary>
/// Two networks over real TCP with different keys, on a virtual clock: connections fail at once (at the
/// peer's HELLO, before the engine sees a session), and the backoff bounds them.
/// </summary>
public sealed class FailedSessionBackoffTests
{
    private readonly int _port = LoopbackPorts.FreePort();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ConcurrentDictionary<int, int> _sessions = new();

    private PeerNetwork Network(int node, int peer, string key) =>
        new(
            new PeerNetworkOptions
            {
                Listen = [new IPEndPoint(LoopbackPorts.Node(node), _port)],
                Port = _port,
                BindAddress = LoopbackPorts.Node(node),
                Peers = [LoopbackPorts.Node(peer).ToString()],
            },
            () => new SasyncFrameCodec(new SharedKey(Convert.FromHexString(key))),
            e =>
            {
                // Each connection ends on the frame it cannot read, counted whether or not it carried.
                if (e is PeerLinkDown { BadFrame: not null })
                {
                    _sessions.AddOrUpdate(node, 1, (_, n) => n + 1);
                }

                return ValueTask.CompletedTask;
            },
            _time,
            NullLogger.Instance);

    [Fact]
    public async Task A_key_mismatch_gives_at_most_twenty_failed_connections_per_peer_in_ten_seconds()
    {
        await using var one = Network(1, 2, "00112233445566778899aabbccddeeff");
        await using var two = Network(2, 1, "ffeeddccbbaa99887766554433221100");
        one.Start();
        two.Start();

        // Ten virtual seconds in 50 ms steps, each with a moment of real time for the sockets.
        for (var step = 0; step < 200; step++)
        {
            await Task.Delay(15);
            _time.Advance(TimeSpan.FromMilliseconds(50));
        }

        var onOne = _sessions.GetValueOrDefault(1);
        var onTwo = _sessions.GetValueOrDefault(2);
        Assert.InRange(onOne, 2, 20);
        Assert.InRange(onTwo, 2, 20);
        var status = one.SessionStatus()["127.0.0.2"];
        Assert.True(status.FailedAttempts >= 2, $"{status.FailedAttempts} failed attempts");
    }
}
