using System.Net;
using System.Runtime.InteropServices;
using Sasync.Core.Config;
using Sasync.Core.PfKey;
using Sasync.Core.Simulation;
using Sasync.Core.Sync.Digest;
using Sasync.Tests.PfKey;
using Sasync.Tests.Simulation;
using static Sasync.Tests.Simulation.KernelTestMessages;

namespace Sasync.Tests.Sync.Digest;

/// <summary>
/// The digest on the simulated kernel: the MASTER's, over what its snapshot carries, equals the joining
/// node's over what it installed from that snapshot; one key byte or one flow apart, they differ.
/// </summary>
public class KernelDigestTests
{
    private const uint IkePid = 1234;
    private const uint DaemonPid = 4321;

    private static readonly SyncFilterContext Filter = new(DaemonPid, FlushMode.Startup, SkipSlave: false, PeerAddresses: Array.Empty<IPAddress>());

    private static Task<SimulatedKernel> BusyMasterAsync() => BusyKernel.CreateAsync(IkePid);

    /// <summary>A fresh kernel with every message of <paramref name="messages"/> written by the daemon, as a joining node does.</summary>
    private static async Task<SimulatedKernel> InstallAsync(IEnumerable<ReadOnlyMemory<byte>> messages)
    {
        var peer = new SimulatedKernel(new SimulatedKernelOptions { ThrowOnReplyErrno = true });
        await using var daemon = peer.OpenClient(DaemonPid);
        uint sequence = 0;
        foreach (var message in messages)
        {
            Assert.True(PfKeyRewrite.TryPrepareForKernel(message, DaemonPid, ++sequence, out var prepared, out var error), error.ToString());
            await daemon.WriteAsync(prepared, default);
        }

        return peer;
    }

    private static SnapshotDigest MasterDigest(SimulatedKernel master)
    {
        Assert.True(KernelDigest.TryCompute(master.DumpSadb(), master.DumpSpd(), Filter, out var digest, out var problem), problem);
        return digest;
    }

    private static SnapshotDigest JoiningDigest(SimulatedKernel kernel) => JoiningDigest(kernel.DumpSadb(), kernel.DumpSpd());

    private static SnapshotDigest JoiningDigest(ReadOnlyMemory<byte> sadb, ReadOnlyMemory<byte> spd)
    {
        Assert.True(KernelDigest.TryCompute(sadb, spd, null, out var digest, out var problem), problem);
        return digest;
    }

    private static List<ReadOnlyMemory<byte>> SnapshotOf(SimulatedKernel master) =>
        WholeSnapshot.Build(master.DumpSadb(), master.DumpSpd(), Filter).Messages;

    [Fact]
    public async Task The_masters_digest_of_its_snapshot_equals_the_joining_nodes_digest_of_what_it_installed()
    {
        var master = await BusyMasterAsync();

        var peer = await InstallAsync(SnapshotOf(master));
        // What the peer's kernel keeps on its own differs: an MTU it learnt, its clock.
        Assert.True(peer.TrySetMtu(SadbSaType.Esp, 0x105, Peer, 1280));

        var expected = MasterDigest(master);
        Assert.Equal((17u, 6u), (expected.Sas, expected.Flows));
        Assert.Equal(expected, JoiningDigest(peer));
        Assert.NotEqual(SnapshotDigest.Empty, expected);
    }

    [Fact]
    public async Task One_key_byte_apart_the_digests_differ_with_the_same_counts()
    {
        var master = await BusyMasterAsync();
        var messages = SnapshotOf(master);
        var victim = messages.FindIndex(m => SadbHeader.Read(m.Span).Type == SadbMessageType.Add);
        var altered = messages[victim].ToArray();
        Assert.True(Parse(altered).TryGet(SadbExtensionType.KeyEncrypt, out var key));
        Assert.True(MemoryMarshal.TryGetArray(key.Bytes, out var segment));
        altered[segment.Offset + segment.Count - 1] ^= 0x01;
        messages[victim] = altered;

        var peer = await InstallAsync(messages);

        var theirs = JoiningDigest(peer);
        var ours = MasterDigest(master);
        Assert.Equal((ours.Sas, ours.Flows), (theirs.Sas, theirs.Flows));
        Assert.NotEqual(ours, theirs);
    }

    [Fact]
    public async Task One_flow_apart_the_digests_differ_with_the_same_counts()
    {
        var master = await BusyMasterAsync();
        var messages = SnapshotOf(master);
        messages.RemoveAt(messages.FindLastIndex(m => SadbHeader.Read(m.Span).Type == SadbMessageType.XAddFlow));
        messages.Add(IkeDaemonMessages.AddFlow(IkePid, 9, IkeDaemonMessages.Network(99), IkeDaemonMessages.Network(98), Peer));

        var peer = await InstallAsync(messages);

        var theirs = JoiningDigest(peer);
        var ours = MasterDigest(master);
        Assert.Equal((ours.Sas, ours.Flows), (theirs.Sas, theirs.Flows));
        Assert.NotEqual(ours, theirs);
    }

    [Fact]
    public async Task The_order_of_the_dump_does_not_matter()
    {
        var master = await BusyMasterAsync();
        var sadb = master.DumpSadb();
        var records = Records(sadb);
        records.Reverse();

        Assert.Equal(JoiningDigest(sadb, master.DumpSpd()), JoiningDigest(records.SelectMany(r => r.ToArray()).ToArray(), master.DumpSpd()));
    }

    [Fact]
    public async Task Current_lifetimes_counters_and_the_replay_counter_are_not_in_the_digest()
    {
        var master = await BusyMasterAsync();
        var sadb = master.DumpSadb();
        var before = JoiningDigest(sadb, master.DumpSpd());

        foreach (var record in Records(sadb))
        {
            foreach (var extension in Parse(record).Extensions)
            {
                if (extension.Type is SadbExtensionType.LifetimeCurrent or SadbExtensionType.XCounter or SadbExtensionType.XReplay or SadbExtensionType.XMtu)
                {
                    Assert.True(MemoryMarshal.TryGetArray(extension.Bytes, out var segment));
                    sadb.AsSpan(segment.Offset + 8, segment.Count - 8).Fill(0x5a); // past the extension header
                }
            }
        }

        Assert.Equal(before, JoiningDigest(sadb, master.DumpSpd()));
    }

    [Fact]
    public async Task A_larval_sa_on_the_joining_node_makes_the_digests_differ_but_the_masters_own_is_left_out()
    {
        var master = await BusyMasterAsync();
        var peer = await InstallAsync(SnapshotOf(master));
        var ours = MasterDigest(master);

        await using (var ike = peer.OpenClient(IkePid))
        {
            await ike.WriteAsync(IkeDaemonMessages.GetSpi(IkePid, 1, 0x7777, Local, Peer), default);
        }

        await using (var ike = master.OpenClient(IkePid))
        {
            await ike.WriteAsync(IkeDaemonMessages.GetSpi(IkePid, 1, 0x7777, Local, Peer), default);
        }

        Assert.NotEqual(ours, JoiningDigest(peer)); // a FLUSH would remove it: the snapshot must go out
        Assert.Equal(ours, MasterDigest(master));   // no snapshot carries it
    }

    [Fact]
    public void A_malformed_dump_has_no_digest()
    {
        var broken = new byte[24];
        new SadbHeader(SadbHeader.Version2, SadbMessageType.Dump, 0, SadbSaType.Esp, 8, 0, 0, 0).WriteTo(broken); // 64 bytes claimed

        Assert.False(KernelDigest.TryCompute(broken, ReadOnlyMemory<byte>.Empty, null, out _, out var problem));
        Assert.Contains("SADB dump", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Digest_messages_round_trip_and_a_short_one_is_refused()
    {
        var digest = new SnapshotDigest(3, 4, 0x0102030405060708, 9, 10, 0xfffffffffffffff0);
        var bytes = new Sasync.Core.Wire.DigestMessage(7, digest).ToBytes();

        Assert.Equal(48, bytes.Length);
        Assert.Equal([0x53, 0x43, 0x00, 0x10, 0, 0, 0, 7], bytes[..8]);
        Assert.True(Sasync.Core.Wire.DigestMessage.TryRead(bytes, out var read));
        Assert.Equal(new Sasync.Core.Wire.DigestMessage(7, digest), read);
        Assert.False(Sasync.Core.Wire.DigestMessage.TryRead(bytes.AsSpan(0, 47), out _));
    }

    private static List<ReadOnlyMemory<byte>> Records(byte[] dump)
    {
        var records = new List<ReadOnlyMemory<byte>>();
        for (var offset = 0; offset < dump.Length;)
        {
            var length = SadbHeader.Read(dump.AsSpan(offset)).ByteLength;
            records.Add(dump.AsMemory(offset, length));
            offset += length;
        }

        return records;
    }
}
