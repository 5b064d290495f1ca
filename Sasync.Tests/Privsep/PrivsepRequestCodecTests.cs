using Sasync.Core.Privsep;
using Sasync.Core.Sync;

namespace Sasync.Tests.Privsep;

public sealed class PrivsepRequestCodecTests
{
    public static TheoryData<string, string> Golden => new()
    {
        // u32 length (type + id + body) | u8 type | u32 id | body
        { "dump", "00000005" + "01" + "00000007" },
        { "demote", "00000005" + "02" + "00000008" },
        { "undemote", "00000005" + "03" + "00000009" },
        { "read demotion", "00000005" + "04" + "0000000a" },
        { "iked active", "00000007" + "05" + "0000000b" + "0101" },
        { "isakmpd passive", "00000007" + "05" + "0000000c" + "0000" },
        { "read config", "00000005" + "06" + "0000000d" },
        { "simulation", "00000007" + "07" + "0000000e" + "7b7d" },
    };

    private static PrivsepRequest Request(string name) => name switch
    {
        "dump" => new DumpKernelRequest(7),
        "demote" => new DemotionRequest(8, Up: true),
        "undemote" => new DemotionRequest(9, Up: false),
        "read demotion" => new ReadDemotionRequest(10),
        "iked active" => new ControlDaemonRequest(11, DaemonKind.Iked, Active: true),
        "isakmpd passive" => new ControlDaemonRequest(12, DaemonKind.Isakmpd, Active: false),
        "read config" => new ReadConfigRequest(13),
        _ => new SimulationRequest(14, "{}"u8.ToArray()),
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Every_request_has_its_bytes_and_reads_back_as_itself(string name, string hex)
    {
        var request = Request(name);
        var bytes = PrivsepRequestCodec.Encode(request);
        Assert.Equal(hex, Convert.ToHexStringLower(bytes));

        var buffer = new System.Buffers.ReadOnlySequence<byte>(bytes);
        Assert.True(PrivsepFrameReader.TryCut(ref buffer, PrivsepRequestCodec.MaxRequestLength, out var frame));
        Assert.True(buffer.IsEmpty);
        Assert.True(PrivsepRequestCodec.TryParse(frame, out var parsed, out var error), error);
        if (request is SimulationRequest simulation)
        {
            Assert.Equal(simulation.Json.ToArray(), ((SimulationRequest)parsed!).Json.ToArray());
        }
        else
        {
            Assert.Equal(request, parsed);
        }
    }

    [Theory]
    [InlineData(1, "00", "takes no body")]
    [InlineData(2, "0000", "takes no body")]
    [InlineData(5, "00", "2 bytes")]
    [InlineData(5, "000000", "2 bytes")]
    [InlineData(5, "0200", "daemon 0 or 1")]
    [InlineData(5, "0002", "daemon 0 or 1")]
    [InlineData(7, "", "1 to 65536")]
    [InlineData(0, "", "unknown request type 0")]
    [InlineData(9, "", "unknown request type 9")]
    [InlineData(0x81, "", "unknown request type 129")]
    public void A_malformed_request_is_refused_with_the_reason(byte type, string bodyHex, string reason)
    {
        var frame = new PrivsepFrame(type, 3, Convert.FromHexString(bodyHex));
        Assert.False(PrivsepRequestCodec.TryParse(frame, out var request, out var error));
        Assert.Null(request);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_simulation_command_over_the_limit_is_refused()
    {
        var frame = new PrivsepFrame(PrivsepMessageType.Simulation, 1, new byte[PrivsepRequestCodec.MaxSimulationBytes + 1]);
        Assert.False(PrivsepRequestCodec.TryParse(frame, out _, out var error));
        Assert.Contains("65537", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00000004", "outside 5..")]
    [InlineData("00000000", "outside 5..")]
    [InlineData("00010006", "outside 5..")]
    [InlineData("ffffffff", "outside 5..")]
    public void A_length_out_of_range_breaks_the_channel_before_its_body_is_read(string lengthHex, string reason)
    {
        var buffer = new System.Buffers.ReadOnlySequence<byte>(Convert.FromHexString(lengthHex));
        var error = Assert.Throws<InvalidDataException>(() => PrivsepFrameReader.TryCut(ref buffer, PrivsepRequestCodec.MaxRequestLength, out _));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_frame_is_cut_only_when_all_of_it_has_arrived()
    {
        var bytes = PrivsepRequestCodec.Encode(new ControlDaemonRequest(5, DaemonKind.Iked, true));
        for (var length = 0; length < bytes.Length; length++)
        {
            var partial = new System.Buffers.ReadOnlySequence<byte>(bytes, 0, length);
            Assert.False(PrivsepFrameReader.TryCut(ref partial, PrivsepRequestCodec.MaxRequestLength, out _));
            Assert.Equal(length, partial.Length);
        }
    }

    [Fact]
    public void A_dump_chunk_reply_names_its_table_and_anything_else_is_refused()
    {
        var released = 0;
        using (var sadb = PrivsepReplyCodec.ParseDumpChunk(Convert.FromHexString("00" + "aabb"), () => released++))
        {
            Assert.Equal(Sasync.Core.Platform.KernelDumpTable.Sadb, sadb.Table);
            Assert.Equal("aabb", Convert.ToHexStringLower(sadb.Records.Span));
        }

        Assert.Equal(1, released);
        Assert.Equal(Sasync.Core.Platform.KernelDumpTable.Spd, PrivsepReplyCodec.ParseDumpChunk(Convert.FromHexString("01cc"), () => { }).Table);
        Assert.Throws<InvalidDataException>(() => PrivsepReplyCodec.ParseDumpChunk(Convert.FromHexString("02cc"), () => { }));
        Assert.Throws<InvalidDataException>(() => PrivsepReplyCodec.ParseDumpChunk(ReadOnlyMemory<byte>.Empty, () => { }));
    }
}
