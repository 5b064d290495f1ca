using System.Text.Json;
using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>The JSON shape of a node's status, as <c>sasyncd-cs status --json</c> prints it.</summary>
public static class NodeStatusJson
{
    /// <summary>The run state as sasyncd names it (<c>INIT</c>, <c>SLAVE</c>, <c>MASTER</c>, <c>FAIL</c>).</summary>
    public static string RunStateName(RunState state) => state switch
    {
        RunState.Init => "INIT",
        RunState.Slave => "SLAVE",
        RunState.Master => "MASTER",
        RunState.Fail => "FAIL",
        _ => state.ToString(),
    };

    /// <summary>Writes the status as the one JSON object of <c>status --json</c>.</summary>
    public static void Write(Utf8JsonWriter writer, NodeStatus status) => Write(writer, status, []);

    /// <summary>The status with the daemon's processes (<c>"processes"</c>: one, or two under privilege separation).</summary>
    public static void Write(Utf8JsonWriter writer, NodeStatus status, IReadOnlyList<DaemonProcessInfo> processes)
    {
        ArgumentNullException.ThrowIfNull(processes);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(status);
        var engine = status.Engine;
        writer.WriteStartObject();
        writer.WriteString("runState", RunStateName(engine.RunState));
        writer.WriteBoolean("runStateLocked", engine.RunStateLocked);
        writer.WriteBoolean("demoted", engine.Demotion.Held);
        WriteTime(writer, "undemotedAt", engine.Demotion.ReleasedAt);
        writer.WriteString("undemoteReason", engine.Demotion.ReleaseReason);
        WriteTime(writer, "startedAt", engine.StartedAt);
        writer.WriteStartArray("peers");
        foreach (var peer in engine.Peers)
        {
            writer.WriteStartObject();
            writer.WriteString("name", peer.Name);
            writer.WriteBoolean("connected", peer.Connected);
            writer.WriteString("runState", peer.PeerRunState is { } state ? RunStateName(state) : null);
            writer.WriteString("direction", peer.Direction?.ToString().ToLowerInvariant());
            WriteTime(writer, "connectedSince", peer.ConnectedSince);
            writer.WriteNumber("framesSent", peer.FramesSent);
            writer.WriteNumber("framesReceived", peer.FramesReceived);
            writer.WriteNumber("snapshotsSent", peer.SnapshotsSent);
            WriteTime(writer, "lastSnapshotSentAt", peer.LastSnapshotSentAt);
            writer.WriteNumber("snapshotsReceived", peer.SnapshotsReceived);
            WriteTime(writer, "lastSnapshotReceivedAt", peer.LastSnapshotReceivedAt);
            writer.WriteBoolean("sendingSnapshot", peer.SendingSnapshot);
            writer.WriteNumber("snapshotsSkippedByDigest", peer.SnapshotsSkippedByDigest);
            writer.WriteNumber("digestsSent", peer.DigestsSent);
            writer.WriteNumber("digestsReceived", peer.DigestsReceived);
            writer.WriteNumber("digestMismatches", peer.DigestMismatches);
            if (peer.LastSnapshotMessages is { } messages)
            {
                writer.WriteNumber("lastSnapshotMessages", messages);
            }
            else
            {
                writer.WriteNull("lastSnapshotMessages");
            }
            writer.WriteString("lastError", peer.LastError);
            var session = status.Sessions?.GetValueOrDefault(peer.Name);
            writer.WriteNumber("sessionFailures", session?.FailedAttempts ?? 0);
            WriteTime(writer, "nextAttemptAt", session?.NextAttemptAt);
            // The framing of the session now carried (legacy while there is none).
            writer.WriteString("channel", session?.Channel == Net.PeerChannel.Extended ? "extended" : "legacy");
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        var counters = engine.Counters;
        writer.WriteStartObject("counters");
        writer.WriteNumber("kernelMessagesSeen", counters.KernelMessagesSeen);
        writer.WriteNumber("messagesRelayed", counters.MessagesRelayed);
        writer.WriteNumber("messagesFiltered", counters.Filtered.Values.Sum());
        writer.WriteStartObject("filtered");
        foreach (var (reason, count) in counters.Filtered.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal))
        {
            writer.WriteNumber(JsonNamingPolicy.CamelCase.ConvertName(reason.ToString()), count);
        }

        writer.WriteEndObject();
        writer.WriteNumber("kernelMessagesMalformed", counters.KernelMessagesMalformed);
        writer.WriteNumber("framesRejected", counters.FramesRejected);
        writer.WriteStartObject("framesRejectedByReason");
        foreach (var (reason, count) in counters.FramesRejectedByReason.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal))
        {
            writer.WriteNumber(reason.ToString(), count);
        }

        writer.WriteEndObject();
        writer.WriteNumber("kernelWrites", counters.KernelWrites);
        writer.WriteNumber("kernelWriteErrors", counters.KernelWriteErrors);
        writer.WriteNumber("dumpErrors", counters.DumpErrors);
        writer.WriteNumber("daemonControlErrors", counters.DaemonControlErrors);
        writer.WriteNumber("connectionsRefused", status.RefusedConnections);
        writer.WriteNumber("slowPeerDrops", status.SlowPeerDrops);
        writer.WriteNumber("framesUnsendable", status.FramesUnsendable);
        writer.WriteEndObject();
        if (processes.Count > 0)
        {
            writer.WriteStartArray("processes");
            foreach (var process in processes)
            {
                writer.WriteStartObject();
                writer.WriteString("role", process.Role == DaemonProcessRole.Privileged ? "privileged" : "network");
                writer.WriteNumber("pid", process.Pid);
                writer.WriteString("user", process.User);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        WriteProcess(writer);
        writer.WriteEndObject();
    }

    /// <summary>
    /// The process's memory when the status is written: resident set, the bytes live on the GC heap, and what the
    /// GC holds committed from the OS (the difference to the RSS is code, stacks and native buffers).
    /// </summary>
    private static void WriteProcess(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("process");
        writer.WriteNumber("rssBytes", Environment.WorkingSet);
        writer.WriteNumber("gcHeapBytes", GC.GetTotalMemory(forceFullCollection: false));
        writer.WriteNumber("gcCommittedBytes", GC.GetGCMemoryInfo().TotalCommittedBytes);
        writer.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            writer.WriteString(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
