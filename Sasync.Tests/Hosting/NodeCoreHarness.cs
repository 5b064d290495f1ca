using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Net;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;
using Sasync.Core.Wire;

namespace Sasync.Tests.Hosting;

/// <summary>
/// One <see cref="NodeCore"/> on a simulated host over <see cref="SynchronousNodeIo"/>, a recording
/// network and a fake clock: no thread, no socket; what the core posts waits in <see cref="Posted"/>
/// until <see cref="Pump"/>.
/// </summary>
internal sealed class NodeCoreHarness : IDisposable
{
    public const uint OurPid = 100;
    public const uint IkePid = 200;
    public static readonly IPAddress Here = IPAddress.Parse("192.0.2.1");
    public static readonly IPAddress Remote = IPAddress.Parse("198.51.100.1");

    public NodeCoreHarness(Func<SyncSettings, SyncSettings>? configure = null, Func<NodeCoreHarness, INodeIo>? io = null, params string[] peers)
    {
        Settings = new SyncSettings
        {
            CarpInterface = "carp0",
            SharedKey = new SharedKey(new byte[16]),
            Peers = peers.Length == 0 ? ["peer-a"] : [.. peers],
        };
        Settings = configure?.Invoke(Settings) ?? Settings;
        Keys = Host.OpenKeyEngine(OurPid);
        Ike = Host.OpenKeyEngine(IkePid);
        Platform = new NodePlatform(Keys, Host.Carp, Host.CarpGroup, ImmutableDictionary<DaemonKind, IDaemonControl>.Empty.Add(DaemonKind.Isakmpd, Host.DaemonControl));
        Core = new NodeCore(
            Settings, new EngineOptions { Pid = OurPid }, new SasyncFrameCodec(Settings.SharedKey), Network,
            Io = io?.Invoke(this) ?? new SynchronousNodeIo(Platform, Posted.Enqueue), Time, NullLogger.Instance, Posted.Enqueue);
    }

    public SimulatedNode Host { get; } = new();

    public SimulatedKeyClient Keys { get; }

    public SimulatedKeyClient Ike { get; }

    public NodePlatform Platform { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 4, 0, 0, TimeSpan.Zero));

    public RecordingNetwork Network { get; } = new();

    public Queue<object> Posted { get; } = new();

    public SyncSettings Settings { get; }

    public NodeCore Core { get; }

    public INodeIo Io { get; }

    public EngineStatus Engine => Core.Status().Engine;

    /// <summary>Hands one item to the core, then everything it posted meanwhile.</summary>
    public void Handle(object item)
    {
        Core.Handle(item);
        Pump();
    }

    /// <summary>Hands every posted item to the core (and what those post) until nothing is left; returns how many.</summary>
    public int Pump()
    {
        var handled = 0;
        while (Posted.TryDequeue(out var item))
        {
            Core.Handle(item);
            handled++;
        }

        return handled;
    }

    /// <summary>Hands what our PF_KEY socket holds to the core as one read.</summary>
    public void ReadKernel()
    {
        var messages = new List<ReadOnlyMemory<byte>>();
        while (Keys.TryRead(out var message))
        {
            messages.Add(message);
        }

        if (messages.Count > 0)
        {
            Handle(new KernelMessagesRead(messages));
        }
    }

    public void Start(LinkState carp = LinkState.Down, bool demoted = false)
    {
        if (demoted)
        {
            Host.CarpGroup.Set("carp", 1);
        }

        Host.Carp.Set(carp);
        Handle(new EngineStarted(carp, demoted));
    }

    public void LinkUp(string peer, long linkId, bool outbound = true) =>
        Handle(new PeerLinkUp(peer, linkId, outbound, new IPEndPoint(IPAddress.Parse("192.0.2.2"), 500)));

    public void Frames(string peer, long linkId, params (WireMessageType Type, byte[] Plaintext)[] frames) =>
        Handle(new PeerLinkFrames(peer, linkId, [.. frames.Select(f => new ReceivedFrame(f.Type, f.Plaintext))]));

    public void Control(string peer, long linkId, ControlMessage message) => Frames(peer, linkId, (WireMessageType.Control, message.ToBytes()));

    /// <summary>The IKE daemon adds tunnel <paramref name="spi"/> in our kernel.</summary>
    public void IkeAdds(uint spi, uint sequence = 1) =>
        Assert.True(Ike.WriteAsync(IkeDaemonMessages.AddEspSa(IkePid, sequence, spi, Here, Remote), default).IsCompletedSuccessfully);

    /// <summary>Advances the fake clock and hands the timer firings it caused to the core.</summary>
    public void Advance(TimeSpan by)
    {
        Time.Advance(by);
        Pump();
    }

    public void Dispose() => Core.Dispose();
}
