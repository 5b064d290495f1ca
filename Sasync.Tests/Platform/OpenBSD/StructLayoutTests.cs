using Sasync.Core.Platform;
using Sasync.Platform.OpenBSD.PfKey;
using Sasync.Platform.OpenBSD.Structs;

namespace Sasync.Tests.Platform.OpenBSD;

public class StructLayoutTests
{
    [Fact]
    public void Ifreq_is_32_bytes_with_the_nul_padded_name_first_and_room_for_the_data_pointer()
    {
        var bytes = new byte[InterfaceRequest.Size];
        bytes.AsSpan().Fill(0xAA);
        Assert.True(InterfaceRequest.TryWrite(bytes, "carp0", out _));
        Assert.Equal(Convert.FromHexString("6361727030" + "0000000000000000000000" + "0000000000000000" + "0000000000000000"), bytes);
        Assert.Equal(32, InterfaceRequest.Size);
        Assert.Equal(16, InterfaceRequest.DataPointerOffset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sixteen_chars_xx")]
    [InlineData("ca\0rp")]
    public void Interface_names_that_do_not_fit_ifnamsiz_are_refused(string name)
    {
        var bytes = new byte[InterfaceRequest.Size];
        Assert.False(InterfaceRequest.TryWrite(bytes, name, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Fifteen_byte_name_fits_with_its_nul()
    {
        var bytes = new byte[InterfaceRequest.Size];
        Assert.True(InterfaceRequest.TryWrite(bytes, "abcdefghijklmno", out _));
        Assert.Equal(0, bytes[15]);
        Assert.Equal((byte)'o', bytes[14]);
    }

    [Fact]
    public void Ifgroupreq_is_40_bytes_with_the_demote_delta_as_int32_at_24()
    {
        var bytes = new byte[InterfaceGroupRequest.Size];
        Assert.True(InterfaceGroupRequest.TryWrite(bytes, "carp", -1, out _));
        Assert.Equal(Convert.FromHexString(
            "63617270000000000000000000000000" + // ifgr_name
            "00000000" + "00000000" +             // ifgr_len, padding
            "ffffffff" + "000000000000000000000000"), bytes);
        Assert.Equal(-1, InterfaceGroupRequest.ReadCarpDemoted(bytes));
    }

    [Fact]
    public void Ifgroupreq_reads_the_counter_the_kernel_returns()
    {
        var bytes = new byte[40];
        bytes[24] = 3;
        bytes[25] = 1;
        Assert.Equal(0x103, InterfaceGroupRequest.ReadCarpDemoted(bytes));
    }

    [Fact]
    public void Imsg_header_for_passive_matches_the_documented_frame()
    {
        var bytes = new byte[ImsgHeader.Size];
        ImsgHeader.ForMode(active: false, pid: 0x1234).WriteTo(bytes);
        Assert.Equal(Convert.FromHexString("0a000000" + "10000000" + "00000000" + "34120000"), bytes);
    }

    [Fact]
    public void Imsg_header_for_active_is_type_9_and_reads_back()
    {
        var bytes = new byte[ImsgHeader.Size];
        ImsgHeader.ForMode(active: true, pid: 0x01020304).WriteTo(bytes);
        Assert.Equal(Convert.FromHexString("09000000" + "10000000" + "00000000" + "04030201"), bytes);
        Assert.True(ImsgHeader.TryRead(bytes, out var header));
        Assert.Equal(new ImsgHeader(9, 16, 0, 0x01020304), header);
        Assert.False(ImsgHeader.TryRead(bytes.AsSpan(0, 15), out _));
    }

    [Fact]
    public void Promiscuous_request_is_a_bare_sadb_msg_of_type_11_with_satype_as_the_switch()
    {
        Assert.Equal(
            Convert.FromHexString("020b0001" + "02000000" + "07000000" + "39300000"),
            PromiscuousRequest.Encode(enabled: true, sequence: 7, pid: 12345));
        Assert.Equal(
            Convert.FromHexString("020b0000" + "02000000" + "08000000" + "39300000"),
            PromiscuousRequest.Encode(enabled: false, sequence: 8, pid: 12345));
    }

    [Fact]
    public void Pfkey_sysctl_names_are_net_key_v2_op_all_satypes()
    {
        Assert.Equal([4, 30, 2, 1, 0], PfKeySysctl.Name(PfKeySysctl.SadbDump));
        Assert.Equal([4, 30, 2, 2, 0], PfKeySysctl.Name(PfKeySysctl.SpdDump));
    }

    [Fact]
    public void If_data_link_state_is_the_fourth_byte()
    {
        var ifData = new byte[InterfaceData.Size];
        ifData[0] = 0xf7; // IFT_CARP
        ifData[3] = 6;
        Assert.True(InterfaceData.TryReadLinkState(ifData, out var state));
        Assert.Equal(LinkState.FullDuplex, state);
        Assert.False(InterfaceData.TryReadLinkState(ifData.AsSpan(0, 143), out _));
    }

    /// <summary>An RTM_IFINFO laid out by hand from route.h/if.h: if_msghdr with if_data at 24.</summary>
    internal static byte[] IfInfo(ushort index, byte linkState, byte version = 5, byte type = 14, int length = 168)
    {
        var bytes = new byte[length];
        bytes[0] = (byte)length;
        bytes[1] = (byte)(length >> 8);
        bytes[2] = version;
        bytes[3] = type;
        bytes[4] = 168; // ifm_hdrlen
        bytes[6] = (byte)index;
        bytes[7] = (byte)(index >> 8);
        bytes[16] = 0x43; // ifm_flags: UP|RUNNING|MULTICAST, ignored
        bytes[24] = 0xf7; // ifi_type IFT_CARP
        bytes[27] = linkState;
        return bytes;
    }

    [Fact]
    public void If_msghdr_gives_index_at_6_and_link_state_at_27()
    {
        var golden = Convert.FromHexString(
            "a800" + "05" + "0e" + "a800" + "0701" + "0000" + "00" + "00" + "00000000" + "43000000" + "00000000" +
            "f7000002" + new string('0', 2 * 140));
        Assert.Equal(168, golden.Length);
        Assert.True(RouteMessage.TryReadInterfaceInfo(golden, out var index, out var state));
        Assert.Equal(0x107, index);
        Assert.Equal(LinkState.Down, state);
    }

    [Theory]
    [InlineData(4, 14, 168)]  // old RTM_VERSION
    [InlineData(5, 12, 168)]  // RTM_NEWADDR
    [InlineData(5, 14, 96)]   // only an rt_msghdr
    [InlineData(5, 14, 167)]  // one byte short of an if_msghdr
    public void Routing_messages_that_are_not_a_whole_current_ifinfo_are_ignored(byte version, byte type, int length)
    {
        Assert.False(RouteMessage.TryReadInterfaceInfo(IfInfo(1, 4, version, type, length), out _, out _));
    }

    [Fact]
    public void Routing_message_decoder_survives_random_and_truncated_input()
    {
        var random = new Random(1234);
        var accepted = 0;
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 400)];
            random.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length >= 4)
            {
                bytes[2] = 5;
                bytes[3] = 14;
            }

            if (RouteMessage.TryReadInterfaceInfo(bytes, out _, out _))
            {
                accepted++;
                Assert.True(bytes.Length >= 168);
            }
        }

        var whole = IfInfo(3, 4);
        for (var cut = 0; cut < whole.Length; cut++)
        {
            Assert.False(RouteMessage.TryReadInterfaceInfo(whole.AsSpan(0, cut), out _, out _));
        }

        Assert.True(accepted > 0);
    }

    [Fact]
    public void Struct_sizes_match_the_amd64_abi()
    {
        Assert.Equal(96, RouteMessage.RtMsgHeaderSize);
        Assert.Equal(168, RouteMessage.IfMsgHeaderSize);
        Assert.Equal(144, InterfaceData.Size);
        Assert.Equal(RouteMessage.IfMsgHeaderSize, RouteMessage.IfDataOffset + InterfaceData.Size);
        Assert.Equal(0x14000u, RouteMessage.WatchFilter); // ROUTE_FILTER(RTM_IFINFO 0xe) | ROUTE_FILTER(RTM_DESYNC 0x10)
    }

    [Fact]
    public void OpenBsd_stat_has_mode_first_and_uid_at_20()
    {
        var stat = new byte[128];
        stat[0] = 0x80; stat[1] = 0x81;           // st_mode 0100600
        stat[4] = 0xee;                            // st_dev, ignored
        stat[20] = 68;                             // st_uid _isakmpd
        stat[24] = 0x44;                           // st_gid, ignored
        Assert.True(StatLayout.OpenBsdAmd64.TryRead(stat, out var mode, out var uid));
        Assert.Equal(0x8180u, mode.Value);
        Assert.True(mode.IsRegularFile);
        Assert.False(mode.IsFifo);
        Assert.False(mode.HasGroupOrOtherBits);
        Assert.Equal(0x180u, mode.Permissions);
        Assert.Equal(68u, uid);
        Assert.False(StatLayout.OpenBsdAmd64.TryRead(stat.AsSpan(0, 127), out _, out _));
    }

    [Fact]
    public void Linux_x64_stat_has_mode_at_24_and_uid_at_28()
    {
        var stat = new byte[144];
        stat[16] = 1;                               // st_nlink, ignored
        stat[24] = 0xa4; stat[25] = 0x11;          // st_mode 010644: a FIFO
        stat[28] = 0xe8; stat[29] = 0x03;          // st_uid 1000
        Assert.True(StatLayout.LinuxX64.TryRead(stat, out var mode, out var uid));
        Assert.True(mode.IsFifo);
        Assert.True(mode.HasGroupOrOtherBits);
        Assert.Equal(1000u, uid);
    }
}
