using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Net;
using Sasync.Core.Platform;
using Sasync.Core.Sync;
using Sasync.Core.Sync.Digest;
using Sasync.Core.Wire;

namespace Sasync.Tests.Sync;

/// <summary>One engine on a fake clock, with shortcuts for the events tests send.</summary>
internal sealed class EngineHarness
{
    public const uint OurPid = 100;
    public const uint IkePid = 200;

    public EngineHarness(Func<SyncSettings, SyncSettings>? configure = null, EngineOptions? options = null, params string[] peers)
    {
        Settings = new SyncSettings
        {
            CarpInterface = "carp0",
            SharedKey = new SharedKey(new byte[16]),
            Peers = peers.Length == 0 ? ["peer-a"] : [.. peers],
        };
        Settings = configure?.Invoke(Settings) ?? Settings;
        Engine = new SyncEngine(Settings, options ?? new EngineOptions { Pid = OurPid }, Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 4, 0, 0, TimeSpan.Zero));

    public SyncSettings Settings { get; }

    public SyncEngine Engine { get; }

    public IReadOnlyList<EngineEffect> Handle(EngineEvent e) => Engine.Handle(e);

    public IReadOnlyList<EngineEffect> Start(LinkState state = LinkState.Down, bool demoted = false) => Handle(new EngineStarted(state, demoted));

    public IReadOnlyList<EngineEffect> Connect(string peer, params string[] addresses) =>
        Handle(new PeerConnected(peer, PeerDirection.Outbound, [.. addresses.Select(IPAddress.Parse)]));

    /// <summary>Connects a peer on the extended channel, the one digests travel on.</summary>
    public IReadOnlyList<EngineEffect> ConnectExtended(string peer) =>
        Handle(new PeerConnected(peer, PeerDirection.Outbound, [], PeerChannel.Extended));

    public IReadOnlyList<EngineEffect> Control(string peer, ControlMessage message) =>
        Handle(new PeerFrameReceived(peer, WireMessageType.Control, message.ToBytes()));

    public IReadOnlyList<EngineEffect> State(string peer, RunState state) => Control(peer, ControlMessage.StateOf(state));

    public IReadOnlyList<EngineEffect> PfKey(string peer, byte[] message) =>
        Handle(new PeerFrameReceived(peer, WireMessageType.PfKey, message));

    /// <summary>Connects a peer that reports <paramref name="peerState"/> to a MASTER; returns the dump request for its snapshot.</summary>
    public RequestKernelDump AwaitSnapshot(string peer, RunState peerState = RunState.Slave, params string[] addresses)
    {
        Connect(peer, addresses);
        return State(peer, peerState).OfType<RequestKernelDump>().Single();
    }

    public IReadOnlyList<EngineEffect> Kernel(byte[] message) => Handle(new KernelMessageReceived(message));

    /// <summary>
    /// Answers <paramref name="request"/> with <paramref name="dump"/> as a host does: a digest's completion carrying
    /// the digest, or a snapshot's chunks (cut as a one-buffer key engine cuts them), then its completion.
    /// </summary>
    public IReadOnlyList<EngineEffect> Dumped(RequestKernelDump request, KernelDump dump)
    {
        if (request.Use == KernelDumpUse.Digest)
        {
            var digest = new Sasync.Core.Sync.Digest.KernelDigest(request.DigestFilter);
            digest.Add(KernelDumpTable.Sadb, dump.Sadb);
            digest.Add(KernelDumpTable.Spd, dump.Spd);
            return Handle(new KernelDumpCompleted(request.Peer, request.RequestId, null, digest.Digest, digest.Problem));
        }

        var effects = new List<EngineEffect>();
        foreach (var chunk in KernelDumpChunks.FromWhole(dump.Sadb, dump.Spd).ToBlockingEnumerable())
        {
            effects.AddRange(Handle(new KernelDumpChunkRead(request.Peer, request.RequestId, chunk)));
        }

        effects.AddRange(Handle(new KernelDumpCompleted(request.Peer, request.RequestId, null)));
        return effects;
    }

    /// <summary>Advances the clock and delivers every armed timer that became due, like a host would.</summary>
    public List<EngineEffect> Advance(TimeSpan by, IEnumerable<EngineEffect> armedBy)
    {
        Time.Advance(by);
        var effects = new List<EngineEffect>();
        foreach (var arm in armedBy.OfType<ArmTimer>().Where(a => a.DueAt <= Time.GetUtcNow()))
        {
            effects.AddRange(Handle(new TimerFired(arm.Timer, arm.Generation)));
        }

        return effects;
    }

    public static SnapshotDigest DigestOf(KernelDump dump)
    {
        Assert.True(KernelDigest.TryCompute(dump.Sadb, dump.Spd, null, out var digest, out var problem), problem);
        return digest;
    }

    public static ImmutableArray<EngineEffect> Without<T>(IEnumerable<EngineEffect> effects) => [.. effects.Where(e => e is not T)];

    public static List<AdjustCarpDemotion> Demotions(IEnumerable<EngineEffect> effects) => [.. effects.OfType<AdjustCarpDemotion>()];

    public static List<ControlMessage> ControlsTo(string peer, IEnumerable<EngineEffect> effects) =>
        [.. effects.OfType<SendControl>().Where(s => s.Peer == peer).Select(s => s.Message)];

    public static List<byte[]> PfKeyTo(string peer, IEnumerable<EngineEffect> effects) =>
        [.. effects.OfType<SendPfKey>().Where(s => s.Peer == peer).Select(s => s.Message.ToArray())];
}
