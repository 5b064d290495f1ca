using Sasync.Core;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using Sasync.Core.Wire;
using static Sasync.Tests.PfKey.TestMessages;

namespace Sasync.Tests.Sync;

public class SyncEngineRobustnessTests
{
    // Seeds whose runs also reach paced snapshots (seeds 3 and 5 never hand a dump chunk while MASTER).
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(7)]
    public void Random_events_never_throw_and_the_demotion_is_released_at_most_once(int seed)
    {
        var random = new Random(seed);
        // Small chunks, so that paced snapshots are in flight while everything else happens.
        var h = new EngineHarness(options: new EngineOptions { Pid = EngineHarness.OurPid, SnapshotChunkMessages = 2, MaxHeldRelays = 8 }, peers: ["peer-a", "peer-b", "peer-c"]);
        var effects = h.Start(LinkState.Down, demoted: true).ToList();
        string[] peers = ["peer-a", "peer-b", "peer-c"];
        LinkState[] links = [LinkState.Up, LinkState.Down, LinkState.Invalid, LinkState.KeepAliveDown];
        // The ids the engine last asked for, so that some answers are the ones it waits for.
        var dumps = new Dictionary<string, long>();
        var drains = new Dictionary<string, long>();
        // Timers fire with the generation last armed (or a stale one when never armed), whatever the clock says.
        var timers = new Dictionary<EngineTimer, long>();
        TimerFired TimerFiring(EngineTimer timer) => new(timer, timers.GetValueOrDefault(timer, -1));
        for (var i = 0; i < 3000; i++)
        {
            var peer = peers[random.Next(peers.Length)];
            EngineEvent e = random.Next(13) switch
            {
                0 => new PeerConnected(peer, PeerDirection.Inbound, []),
                1 => new PeerDisconnected(peer, "gone"),
                2 => new CarpStateChanged(links[random.Next(links.Length)]),
                3 => new PeerFrameReceived(peer, WireMessageType.Control, new ControlMessage((ControlType)random.Next(7), (uint)random.Next(5), (uint)random.Next(4)).ToBytes()),
                4 => new PeerFrameReceived(peer, (WireMessageType)random.Next(3), RandomBytes(random)),
                5 => new PeerFrameReceived(peer, WireMessageType.PfKey, EspSa((SadbMessageType)random.Next(17), (uint)i, 555)),
                6 => new KernelMessageReceived(random.Next(2) == 0 ? RandomBytes(random) : Wrap(555, EspSa((SadbMessageType)random.Next(17), (uint)i, 555))),
                7 => new KernelDumpChunkRead(peer, random.Next(1, 50), new KernelDumpChunk(KernelDumpTable.Spd, RandomBytes(random))),
                8 or 9 => new KernelDumpChunkRead(peer, dumps.GetValueOrDefault(peer, random.Next(1, 50)), new KernelDumpChunk(KernelDumpTable.Sadb, SadbDump(random))),
                10 when random.Next(4) == 0 => new KernelDumpCompleted(peer, dumps.GetValueOrDefault(peer, random.Next(1, 50)), null),
                11 => new PeerDrained(peer, drains.GetValueOrDefault(peer, random.Next(1, 50))),
                _ => TimerFiring((EngineTimer)random.Next(3)),
            };
            if (random.Next(50) == 0)
            {
                h.Time.Advance(TimeSpan.FromSeconds(1));
            }

            var answered = h.Handle(e);
            foreach (var asked in answered)
            {
                switch (asked)
                {
                    case RequestKernelDump dump: dumps[dump.Peer] = dump.RequestId; break;
                    case AwaitPeerDrain drain: drains[drain.Peer] = drain.SnapshotId; break;
                    case ArmTimer arm: timers[arm.Timer] = arm.Generation; break;
                }
            }

            effects.AddRange(answered);
        }

        Assert.Contains(effects, e => e is AwaitPeerDrain); // the run did reach paced snapshots
        var demotions = EngineHarness.Demotions(effects);
        Assert.Equal(+1, demotions[0].Delta);
        Assert.True(demotions.Count(d => d.Delta < 0) <= 1);
        Assert.Equal(demotions.Count(d => d.Delta < 0) == 0, h.Engine.Status.Demotion.Held);
        Assert.All(effects.OfType<WriteToKernel>(), w => Assert.Equal(EngineHarness.OurPid, SadbHeader.Read(w.Message.Span).Pid));
    }

    // A well-formed SADB dump of a few SAs, so that snapshots really start.
    private static byte[] SadbDump(Random random) => Concat(
        [.. Enumerable.Range(0, random.Next(1, 8)).Select(i => Message(SadbMessageType.Dump, SadbSaType.Esp, 0, 0,
            Sa((uint)(0x100 + i)), Address(SadbExtensionType.AddressDst, "192.0.2.2"), Key(SadbExtensionType.KeyEncrypt, 128)))]);

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 64)];
        random.NextBytes(bytes);
        return bytes;
    }
}
