using System.Diagnostics.Metrics;
using System.Text.Json;
using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>
/// The figures of <c>status --json</c> as <see cref="System.Diagnostics.Metrics"/> instruments on the meter
/// <c>Sasync</c>, for <c>dotnet-counters</c> and OpenTelemetry: totals as observable counters, states as
/// observable gauges, per peer with a <c>peer</c> tag. Every observation asks the node for a fresh status
/// (on its loop, so the figures of one status are consistent); if the node does not answer within
/// <see cref="SampleTimeout"/> the last status (its own, or one taken through <see cref="SyncNodeService.GetStatusAsync"/>) is
/// reported again, without asking again until it has answered.
/// </summary>
public sealed class SyncNodeMetrics : IDisposable
{
    /// <summary>The meter's name, as <c>dotnet-counters monitor --counters Sasync</c> takes it.</summary>
    public const string MeterName = "Sasync";

    /// <summary>How long an observation waits for the node before it reports the last status again.</summary>
    public static readonly TimeSpan SampleTimeout = TimeSpan.FromSeconds(1);

    private readonly Func<CancellationToken, Task<NodeStatus>> _status;
    private readonly Meter _meter;
    private readonly Lock _lastLock = new();
    private NodeStatus? _last;
    private Task<NodeStatus>? _pending;
    private bool _pendingOverdue;
    private volatile bool _disposed;

    /// <summary>Creates the meter and its instruments over <paramref name="status"/> (e.g. <see cref="SyncNode.GetStatusAsync"/>).</summary>
    /// <param name="status">Gets the node's current status.</param>
    public SyncNodeMetrics(Func<CancellationToken, Task<NodeStatus>> status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _status = status;
        // Our own meter rather than one from IMeterFactory: a factory keeps its meters (and their instruments)
        // until the host ends, so a stopped node would still be observed, and a restarted one would find the
        // old instruments in the factory's cache.
        _meter = new Meter(new MeterOptions(MeterName) { Version = typeof(SyncNodeMetrics).Assembly.GetName().Version?.ToString() });

        Counter("sasync.kernel.messages.seen", "{message}", "PF_KEY messages seen on our socket (promiscuous copies unwrapped).", s => s.Engine.Counters.KernelMessagesSeen);
        Counter("sasync.messages.relayed", "{message}", "Kernel messages that passed the filter and went to the peers.", s => s.Engine.Counters.MessagesRelayed);
        _meter.CreateObservableCounter("sasync.messages.filtered", ObserveFiltered, "{message}", "Kernel messages not relayed, by reason (tag reason).");
        Counter("sasync.kernel.messages.malformed", "{message}", "Unparsable messages from our own kernel.", s => s.Engine.Counters.KernelMessagesMalformed);
        Counter("sasync.frames.rejected", "{frame}", "Peer frames that were malformed, unexpected or refused.", s => s.Engine.Counters.FramesRejected);
        Counter("sasync.kernel.writes", "{message}", "Messages from the MASTER written to our kernel.", s => s.Engine.Counters.KernelWrites);
        Counter("sasync.kernel.write_errors", "{message}", "Writes our kernel refused.", s => s.Engine.Counters.KernelWriteErrors);
        Counter("sasync.kernel.dump_errors", "{dump}", "Failed or malformed SADB/SPD dumps.", s => s.Engine.Counters.DumpErrors);
        Counter("sasync.daemon_control.errors", "{attempt}", "Failed attempts to switch isakmpd or iked.", s => s.Engine.Counters.DaemonControlErrors);
        Counter("sasync.connections.refused", "{connection}", "Connections refused (strangers, duplicates).", s => s.RefusedConnections);
        Counter("sasync.peers.slow_drops", "{session}", "Sessions dropped because the peer stopped reading.", s => s.SlowPeerDrops);
        Counter("sasync.frames.unsendable", "{message}", "Messages too big or too small for a frame, not sent.", s => s.FramesUnsendable);
        PeerCounter("sasync.peer.frames.sent", "{frame}", "Frames sent to the peer.", p => p.FramesSent);
        PeerCounter("sasync.peer.frames.received", "{frame}", "Frames received from the peer.", p => p.FramesReceived);
        PeerCounter("sasync.peer.snapshots.sent", "{snapshot}", "Snapshots sent to the peer.", p => p.SnapshotsSent);
        PeerCounter("sasync.peer.snapshots.received", "{snapshot}", "Snapshots received from the peer.", p => p.SnapshotsReceived);
        PeerCounter("sasync.peer.snapshots.skipped_by_digest", "{snapshot}", "Snapshots to the peer that were ENDSNAP alone: its digest matched.", p => p.SnapshotsSkippedByDigest);
        PeerCounter("sasync.peer.digests.sent", "{digest}", "DIGEST messages sent to the peer.", p => p.DigestsSent);
        PeerCounter("sasync.peer.digests.received", "{digest}", "DIGEST messages received from the peer.", p => p.DigestsReceived);
        PeerCounter("sasync.peer.digests.mismatched", "{snapshot}", "Snapshots to the peer sent in full because its digest differed from ours.", p => p.DigestMismatches);

        _meter.CreateObservableGauge("sasync.run_state", ObserveRunState, null, "Our run state: 0 INIT, 1 SLAVE, 2 MASTER, 3 FAIL (tag state).");
        Gauge("sasync.demoted", "1 while we hold the carp group demoted.", s => s.Engine.Demotion.Held ? 1 : 0);
        Gauge("sasync.peers.connected", "Peers with a session now.", s => s.Engine.Peers.Count(p => p.Connected));
        PeerGauge("sasync.peer.connected", "1 while the peer has a session.", p => p.Connected ? 1 : 0);
        PeerGauge("sasync.peer.sending_snapshot", "1 while a paced snapshot to the peer is under way.", p => p.SendingSnapshot ? 1 : 0);
    }

    /// <summary>The meter the instruments are on.</summary>
    public Meter Meter => _meter;

    /// <summary>Removes the instruments: listeners stop seeing this node.</summary>
    public void Dispose()
    {
        _disposed = true;
        _meter.Dispose();
    }

    private void Counter(string name, string unit, string description, Func<NodeStatus, long> value) =>
        _meter.CreateObservableCounter(name, () => Sample() is { } s ? [new Measurement<long>(value(s))] : Array.Empty<Measurement<long>>(), unit, description);

    private void Gauge(string name, string description, Func<NodeStatus, int> value) =>
        _meter.CreateObservableGauge(name, () => Sample() is { } s ? [new Measurement<int>(value(s))] : Array.Empty<Measurement<int>>(), null, description);

    private void PeerCounter(string name, string unit, string description, Func<PeerStatus, long> value) =>
        _meter.CreateObservableCounter(name, () => PerPeer(value), unit, description);

    private void PeerGauge(string name, string description, Func<PeerStatus, int> value) =>
        _meter.CreateObservableGauge(name, () => PerPeer(value), null, description);

    private IEnumerable<Measurement<T>> PerPeer<T>(Func<PeerStatus, T> value) where T : struct =>
        Sample() is { } s
            ? [.. s.Engine.Peers.Select(p => new Measurement<T>(value(p), new KeyValuePair<string, object?>("peer", p.Name)))]
            : [];

    private IEnumerable<Measurement<long>> ObserveFiltered() =>
        Sample() is { } s
            ? [.. s.Engine.Counters.Filtered.Select(f => new Measurement<long>(f.Value, new KeyValuePair<string, object?>("reason", JsonNamingPolicy.CamelCase.ConvertName(f.Key.ToString()))))]
            : [];

    private IEnumerable<Measurement<int>> ObserveRunState() =>
        Sample() is { } s
            ? [new Measurement<int>((int)s.Engine.RunState, new KeyValuePair<string, object?>("state", NodeStatusJson.RunStateName(s.Engine.RunState)))]
            : [];

    // Observations are synchronous; the node answers on its own loop, which never waits for us. A node too
    // busy to answer in time is not asked again until it has answered: the other instruments of the same
    // collection report the last status at once instead of each waiting in turn.
    private NodeStatus? Sample()
    {
        if (_disposed)
        {
            return null;
        }

        Task<NodeStatus> request;
        lock (_lastLock)
        {
            if (_pending is { IsCompleted: false } && _pendingOverdue)
            {
                return _last;
            }

            if (_pending is not { IsCompleted: false })
            {
                _pending = Ask();
                _pendingOverdue = false;
            }

            request = _pending;
        }

        var answered = false;
        try
        {
            answered = request.Wait(SampleTimeout);
        }
        catch (AggregateException)
        {
            // The node is stopping or refused: the last status stands.
        }

        lock (_lastLock)
        {
            if (!answered)
            {
                _pendingOverdue |= ReferenceEquals(request, _pending) && !request.IsCompleted;
            }
            else if (request.IsCompletedSuccessfully)
            {
                _last = request.Result;
            }

            return _last;
        }
    }

    /// <summary>A status someone else took from the node: the last one to report when a fresh one is late.</summary>
    internal void Remember(NodeStatus status)
    {
        lock (_lastLock)
        {
            _last = status;
        }
    }

    private Task<NodeStatus> Ask()
    {
        try
        {
            return _status(CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            return Task.FromException<NodeStatus>(e);
        }
    }
}
