using System.Net;
using Sasync.Core.Config;
using Sasync.Core.PfKey;
using static Sasync.Tests.PfKey.TestMessages;

namespace Sasync.Tests.PfKey;

public class SnapshotCursorTests
{
    private static SyncFilterContext Context(FlushMode flush = FlushMode.Startup, bool skipSlave = false, params string[] peers) =>
        new(100, flush, skipSlave, [.. peers.Select(IPAddress.Parse)]);

    // A SADB_DUMP record as pfkeyv2_get lays it out, with the extensions an ADD refuses.
    private static byte[] SadbRecord(uint spi, bool withKey = true, string dst = "192.0.2.2")
    {
        var extensions = new List<byte[]>
        {
            Sa(spi),
            Ext(SadbExtensionType.LifetimeCurrent, 28),
            Address(SadbExtensionType.AddressSrc, "192.0.2.1"),
            Address(SadbExtensionType.AddressDst, dst),
            Key(SadbExtensionType.KeyAuth, 160),
        };
        if (withKey)
        {
            extensions.Add(Key(SadbExtensionType.KeyEncrypt, 128));
        }

        extensions.Add(Sa(spi + 1, SadbExtensionType.XSa2));
        extensions.Add(Address(SadbExtensionType.XDst2, "198.51.100.1"));
        extensions.Add(Ext(SadbExtensionType.XSaType2, 4));
        extensions.Add(Ext(SadbExtensionType.XReplay, 12));
        extensions.Add(Ext(SadbExtensionType.XMtu, 4));
        extensions.Add(Ext(SadbExtensionType.XCounter, 68));
        var record = Message(SadbMessageType.Dump, SadbSaType.Esp, 0, 0, [.. extensions]);
        record[2] = 0;
        return record;
    }

    private static byte[] SpdRecord() => Message(SadbMessageType.XSpdDump, SadbSaType.Esp, 0, 0,
        Address(SadbExtensionType.AddressDst, "192.0.2.2"),
        Address(SadbExtensionType.XSrcFlow, "10.0.1.0"),
        Address(SadbExtensionType.XDstFlow, "10.0.2.0"),
        Address(SadbExtensionType.XSrcMask, "255.255.255.0"),
        Address(SadbExtensionType.XDstMask, "255.255.255.0"),
        Ext(SadbExtensionType.XProtocol, 4),
        Ext(SadbExtensionType.XFlowType, 4),
        Ext(SadbExtensionType.LifetimeCurrent, 28),
        Ext(SadbExtensionType.XTag, 12));

    [Fact]
    public void Flushmode_startup_sends_flush_then_sas_as_add_then_flows_as_addflow()
    {
        var snapshot = WholeSnapshot.Build(Concat(SadbRecord(1), SadbRecord(3)), SpdRecord(), Context());

        Assert.Equal(4, snapshot.Messages.Count);
        Assert.Equal(2, snapshot.SaCount);
        Assert.Equal(1, snapshot.FlowCount);
        Assert.Empty(snapshot.Errors);
        var flush = SadbHeader.Read(snapshot.Messages[0].Span);
        Assert.Equal(new SadbHeader(2, SadbMessageType.Flush, 0, SadbSaType.Unspec, 2, 0, 0, 0), flush);
        Assert.Equal(SadbMessageType.Add, SadbHeader.Read(snapshot.Messages[1].Span).Type);
        Assert.Equal(SadbMessageType.Add, SadbHeader.Read(snapshot.Messages[2].Span).Type);
        Assert.Equal(SadbMessageType.XAddFlow, SadbHeader.Read(snapshot.Messages[3].Span).Type);
    }

    [Fact]
    public void An_sa_record_keeps_its_satype_and_loses_what_an_add_may_not_carry()
    {
        var snapshot = WholeSnapshot.Build(SadbRecord(1), ReadOnlyMemory<byte>.Empty, Context(FlushMode.Never));

        var add = Parse(Assert.Single(snapshot.Messages).ToArray());
        Assert.Equal(new SadbHeader(2, SadbMessageType.Add, 0, SadbSaType.Esp, add.Header.Length, 0, 0, 0), add.Header);
        Assert.Equal(
            [
                SadbExtensionType.Sa, SadbExtensionType.LifetimeCurrent, SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst,
                SadbExtensionType.KeyAuth, SadbExtensionType.KeyEncrypt,
            ],
            add.Extensions.Select(e => e.Type));
        Assert.All(add.Extensions, e => Assert.Contains(e.Type, (IReadOnlySet<SadbExtensionType>)AllowedExtensions.InAdd));
        // The kept extensions are copied verbatim.
        Assert.True(Parse(SadbRecord(1)).TryGet(SadbExtensionType.KeyEncrypt, out var original));
        Assert.True(add.TryGet(SadbExtensionType.KeyEncrypt, out var copied));
        Assert.Equal(original.Bytes.ToArray(), copied.Bytes.ToArray());
    }

    [Fact]
    public void A_flow_record_keeps_only_what_addflow_allows()
    {
        var snapshot = WholeSnapshot.Build(ReadOnlyMemory<byte>.Empty, SpdRecord(), Context(FlushMode.Sync));

        var flow = Parse(Assert.Single(snapshot.Messages).ToArray());
        Assert.Equal(SadbMessageType.XAddFlow, flow.Type);
        Assert.Equal(SadbSaType.Esp, flow.Header.SaType);
        Assert.Equal(
            [
                SadbExtensionType.AddressDst, SadbExtensionType.XSrcFlow, SadbExtensionType.XDstFlow, SadbExtensionType.XSrcMask,
                SadbExtensionType.XDstMask, SadbExtensionType.XProtocol, SadbExtensionType.XFlowType,
            ],
            flow.Extensions.Select(e => e.Type));
    }

    [Fact]
    public void Larval_sas_and_peer_addresses_under_skipslave_are_left_out()
    {
        var sadb = Concat(SadbRecord(1, withKey: false), SadbRecord(3, dst: "192.0.2.77"), SadbRecord(5));

        var snapshot = WholeSnapshot.Build(sadb, ReadOnlyMemory<byte>.Empty, Context(FlushMode.Never, skipSlave: true, "192.0.2.77"));

        Assert.Equal(1, snapshot.SaCount);
        Assert.Equal(1, snapshot.Skipped[FilterReason.LarvalAdd]);
        Assert.Equal(1, snapshot.Skipped[FilterReason.PeerAddress]);
        Assert.True(Parse(Assert.Single(snapshot.Messages).ToArray()).TryGet(SadbExtensionType.Sa, out var sa));
        Assert.Equal(new byte[] { 0, 0, 0, 5 }, sa.Span.Slice(4, 4).ToArray());
    }

    [Fact]
    public void A_malformed_dump_keeps_the_records_before_the_error_and_reports_it()
    {
        var broken = SadbRecord(3);
        broken[16] = 0; // zero-length extension
        var snapshot = WholeSnapshot.Build(Concat(SadbRecord(1), broken), SpdRecord(), Context(FlushMode.Never));

        Assert.Equal(1, snapshot.SaCount);
        Assert.Equal(1, snapshot.FlowCount);
        var error = Assert.Single(snapshot.Errors);
        Assert.StartsWith("SADB dump", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_dumps_give_only_the_flush()
    {
        var snapshot = WholeSnapshot.Build(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, Context());
        Assert.Equal(SnapshotCursor.Flush(), Assert.Single(snapshot.Messages).ToArray());
        Assert.Empty(WholeSnapshot.Build(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, Context(FlushMode.Never)).Messages);
    }

    [Fact]
    public void A_record_too_long_for_the_kernel_is_skipped_and_reported()
    {
        var huge = Message(SadbMessageType.Dump, SadbSaType.Esp, 0, 0,
            Sa(9), Address(SadbExtensionType.AddressDst, "192.0.2.2"), Key(SadbExtensionType.KeyEncrypt, 128), Key(SadbExtensionType.KeyAuth, 4096 * 8));

        var snapshot = WholeSnapshot.Build(Concat(huge, SadbRecord(1)), ReadOnlyMemory<byte>.Empty, Context(FlushMode.Never));

        Assert.Equal(1, snapshot.SaCount);
        Assert.Contains("4096", Assert.Single(snapshot.Errors).Message, StringComparison.Ordinal);
        Assert.All(snapshot.Messages, m => Assert.True(m.Length <= SnapshotCursor.MaxMessageLength));
    }

    [Fact]
    public void What_an_add_may_carry_is_the_kernels_input_table_less_what_fails_its_reply_check()
    {
        Assert.Equal(
            new[]
            {
                SadbExtensionType.Sa, SadbExtensionType.LifetimeCurrent, SadbExtensionType.LifetimeHard, SadbExtensionType.LifetimeSoft,
                SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst, SadbExtensionType.KeyAuth, SadbExtensionType.KeyEncrypt,
                SadbExtensionType.IdentitySrc, SadbExtensionType.IdentityDst, SadbExtensionType.XSrcMask, SadbExtensionType.XDstMask,
                SadbExtensionType.XProtocol, SadbExtensionType.XFlowType, SadbExtensionType.XSrcFlow, SadbExtensionType.XDstFlow,
                SadbExtensionType.XUdpEncap, SadbExtensionType.XTag, SadbExtensionType.XTap, SadbExtensionType.XRdomain, SadbExtensionType.XIface,
            },
            AllowedExtensions.InAdd.Order());
        Assert.Equal(
            new[]
            {
                SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst, SadbExtensionType.IdentitySrc, SadbExtensionType.IdentityDst,
                SadbExtensionType.XSrcMask, SadbExtensionType.XDstMask, SadbExtensionType.XProtocol, SadbExtensionType.XFlowType,
                SadbExtensionType.XSrcFlow, SadbExtensionType.XDstFlow, SadbExtensionType.XRdomain,
            },
            AllowedExtensions.InAddFlow.Order());
    }

    [Theory]
    [InlineData(1, int.MaxValue)]
    [InlineData(2, int.MaxValue)]
    [InlineData(int.MaxValue, 1)]
    [InlineData(int.MaxValue, 200)]
    public void Pieces_within_their_limits_add_up_to_the_whole_snapshot(int maxMessages, int maxBytes)
    {
        var sadb = Concat(SadbRecord(1), SadbRecord(3), SadbRecord(5));
        var whole = WholeSnapshot.Build(sadb, SpdRecord(), Context());
        var cursor = new SnapshotCursor(sadb, SpdRecord(), Context());

        var pieces = new List<byte[]>();
        while (!cursor.IsComplete)
        {
            var piece = new List<ReadOnlyMemory<byte>>();
            cursor.Next(maxMessages, piece, maxBytes);
            Assert.InRange(piece.Count, 0, maxMessages);
            // A piece passes its byte limit only with the message that crossed it.
            Assert.True(piece.Count <= 1 || piece.Take(piece.Count - 1).Sum(m => m.Length) < maxBytes);
            pieces.AddRange(piece.Select(m => m.ToArray()));
        }

        Assert.Equal(whole.Messages.Select(m => m.ToArray()), pieces);
        Assert.Equal((whole.SaCount, whole.FlowCount), (cursor.SaCount, cursor.FlowCount));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Batches_are_the_whole_snapshot_whether_or_not_the_buffer_is_filled_again(bool reuse)
    {
        var sadb = Concat(SadbRecord(1), SadbRecord(3), SadbRecord(5), SadbRecord(7));
        var whole = WholeSnapshot.Build(sadb, SpdRecord(), Context());
        var cursor = new SnapshotCursor(Context()) { ReusesBuffer = reuse };
        cursor.Add(new Sasync.Core.Platform.KernelDumpChunk(Sasync.Core.Platform.KernelDumpTable.Sadb, sadb));
        cursor.Add(new Sasync.Core.Platform.KernelDumpChunk(Sasync.Core.Platform.KernelDumpTable.Spd, SpdRecord()));
        cursor.End();

        var sent = new List<byte[]>();
        var kept = new List<(ReadOnlyMemory<byte> Message, byte[] Copy)>();
        while (!cursor.IsComplete)
        {
            Assert.True(cursor.TryFillBatch(2, int.MaxValue));
            foreach (var message in cursor.Batch)
            {
                sent.Add(message.ToArray());
                kept.Add((message, message.ToArray()));
            }

            cursor.ClearBatch();
        }

        Assert.Equal(whole.Messages.Select(m => m.ToArray()), sent);
        // Without reuse every message handed out stays as it was; with it, later batches were written over earlier ones.
        Assert.Equal(!reuse, kept.All(k => k.Message.Span.SequenceEqual(k.Copy)));
    }
}
