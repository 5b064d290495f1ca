using Sasync.Core;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using Sasync.Core.Wire;
using static Sasync.Tests.PfKey.TestMessages;

namespace Sasync.Tests.Sync;

public class SyncEngineRobustnessTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_events_never_throw_and_the_demotion_is_released_at_most_once(int seed)
    {
        var random = new Random(seed);
        var h = new EngineHarness(peers: ["peer-a", "peer-b", "peer-c"]);
        var effects = h.Start(LinkState.Down, demoted: true).ToList();
        string[] peers = ["peer-a", "peer-b", "peer-c"];
        LinkState[] links = [LinkState.Up, LinkState.Down, LinkState.Invalid, LinkState.KeepAliveDown];
        for (var i = 0; i < 3000; i++)
        {
            var peer = peers[random.Next(peers.Length)];
            EngineEvent e = random.Next(9) switch
            {
                0 => new PeerConnected(peer, PeerDirection.Inbound, []),
                1 => new PeerDisconnected(peer, "gone"),
                2 => new CarpStateChanged(links[random.Next(links.Length)]),
                3 => new PeerFrameReceived(peer, WireMessageType.Control, new ControlMessage((ControlType)random.Next(7), (uint)random.Next(5), (uint)random.Next(4)).ToBytes()),
                4 => new PeerFrameReceived(peer, (WireMessageType)random.Next(3), RandomBytes(random)),
                5 => new PeerFrameReceived(peer, WireMessageType.PfKey, EspSa((SadbMessageType)random.Next(17), (uint)i, 555)),
                6 => new KernelMessageReceived(random.Next(2) == 0 ? RandomBytes(random) : Wrap(555, EspSa((SadbMessageType)random.Next(17), (uint)i, 555))),
                7 => new KernelDumpCompleted(peer, random.Next(1, 50), new KernelDump(RandomBytes(random), RandomBytes(random)), null),
                _ => new TimerFired((EngineTimer)random.Next(3)),
            };
            if (random.Next(50) == 0)
            {
                h.Time.Advance(TimeSpan.FromSeconds(1));
            }

            effects.AddRange(h.Handle(e));
        }

        var demotions = EngineHarness.Demotions(effects);
        Assert.Equal(+1, demotions[0].Delta);
        Assert.True(demotions.Count(d => d.Delta < 0) <= 1);
        Assert.Equal(demotions.Count(d => d.Delta < 0) == 0, h.Engine.Status.Demotion.Held);
        Assert.All(effects.OfType<WriteToKernel>(), w => Assert.Equal(EngineHarness.OurPid, SadbHeader.Read(w.Message.Span).Pid));
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 64)];
        random.NextBytes(bytes);
        return bytes;
    }
}
