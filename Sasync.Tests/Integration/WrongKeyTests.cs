using System.Collections.Immutable;
using Sasync.Core.Config;
using Sasync.Tests.Support;
using static Sasync.Tests.Integration.Scenario;

namespace Sasync.Tests.Integration;

/// <summary>A node configured with another shared key gets nothing and says why.</summary>
public sealed class WrongKeyTests
{
    private static readonly SharedKey OtherKey = new(Convert.FromHexString("ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"));

    [Fact]
    public async Task Nothing_reaches_the_node_with_the_wrong_key_the_log_says_so_and_the_others_keep_syncing()
    {
        var log = new LogCapture();
        await using var cluster = await StartClusterAsync(3, log, o => o with { NodeSharedKeys = ImmutableDictionary<int, SharedKey>.Empty.Add(3, OtherKey) });
        var (master, good, wrong) = (cluster[1], cluster[2], cluster[3]);
        await AddTunnelsAsync(master, 0, 3);
        await ConvergedAsync(master, 3, good);
        await Eventually.TrueAsync(
            () => log.Contains($"peer {wrong.Address}: session ended: bad frame: the SHA-1 of the plaintext does not match (wrong shared key?)"),
            "a log line names the peer with the wrong key and the reason");
        await Eventually.TrueAsync(
            () => log.Contains($"peer {master.Address}: session ended: bad frame: the SHA-1 of the plaintext does not match (wrong shared key?)"),
            "the misconfigured node logs why it drops the master");

        // More changes still reach the good backup, never the misconfigured one.
        await AddTunnelsAsync(master, 10, 2);
        await ConvergedAsync(master, 5, good);
        Assert.Empty(wrong.Host.Kernel.Sas);
        Assert.Empty(wrong.Host.Kernel.Flows);
        var status = await StatusAsync(wrong);
        Assert.Equal(0, status.Engine.Counters.KernelWrites);
        Assert.All(status.Engine.Peers, p => Assert.Equal(0, p.SnapshotsReceived));
        Assert.Equal(0, PeerOf(await StatusAsync(master), wrong).SnapshotsSent);
        // `status` tells the operator why, without the log, on whichever side read the bad frame first.
        await Eventually.TrueAsync(
            async () => new[] { PeerOf(await StatusAsync(master), wrong).LastError, PeerOf(await StatusAsync(wrong), master).LastError }
                .Any(e => e?.Contains("wrong shared key?", StringComparison.Ordinal) == true),
            "status shows the wrong key as a peer's last error");

        // Each failed session counts; status --json shows the count and when the next dial may start.
        await Eventually.TrueAsync(
            async () => (await StatusAsync(wrong)).Sessions!.Values.All(s => s.FailedAttempts >= 2),
            "the misconfigured node counts its failed sessions");
        using var buffer = new MemoryStream();
        await using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            Core.Hosting.NodeStatusJson.Write(writer, await StatusAsync(wrong));
        }

        var peers = System.Text.Json.JsonDocument.Parse(buffer.ToArray()).RootElement.GetProperty("peers");
        Assert.All(peers.EnumerateArray(), p =>
        {
            Assert.True(p.GetProperty("sessionFailures").GetInt32() >= 2);
            Assert.True(p.GetProperty("nextAttemptAt").ValueKind is System.Text.Json.JsonValueKind.String or System.Text.Json.JsonValueKind.Null);
        });
    }
}
