using System.Net;
using Sasync.Core.PfKey;

namespace Sasync.Tests.PfKey;

public class PfKeyMessageTests
{
    // A DELETE for ESP SPI 0x1234 from 192.0.2.1 to 192.0.2.2: header, SA, SRC, DST.
    private static byte[] DeleteMessage()
    {
        var bytes = new byte[16 + 16 + 24 + 24];
        new SadbHeader(2, SadbMessageType.Delete, 0, SadbSaType.Esp, (ushort)(bytes.Length / 8), 0, 7, 42).WriteTo(bytes);
        bytes[16] = 2; bytes[18] = (byte)SadbExtensionType.Sa;
        bytes[20] = 0x00; bytes[21] = 0x00; bytes[22] = 0x12; bytes[23] = 0x34;
        bytes[32] = 3; bytes[34] = (byte)SadbExtensionType.AddressSrc;
        SockAddr.Write(bytes.AsSpan(40), IPAddress.Parse("192.0.2.1"));
        bytes[56] = 3; bytes[58] = (byte)SadbExtensionType.AddressDst;
        SockAddr.Write(bytes.AsSpan(64), IPAddress.Parse("192.0.2.2"));
        return bytes;
    }

    [Fact]
    public void Header_layout_is_little_endian_with_length_in_8_byte_units()
    {
        var bytes = new byte[16];
        new SadbHeader(2, SadbMessageType.Add, 0, SadbSaType.Esp, 10, 0, 0x01020304, 0x0a0b0c0d).WriteTo(bytes);
        Assert.Equal(Convert.FromHexString("02030002" + "0a000000" + "04030201" + "0d0c0b0a"), bytes);
        Assert.Equal(80, SadbHeader.Read(bytes).ByteLength);
    }

    [Fact]
    public void Parse_splits_extensions_and_reads_addresses()
    {
        Assert.True(PfKeyMessage.TryParse(DeleteMessage(), out var message, out _));
        Assert.Equal(SadbMessageType.Delete, message.Type);
        Assert.Equal([SadbExtensionType.Sa, SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst], message.Extensions.Select(e => e.Type));
        Assert.True(message.TryGet(SadbExtensionType.AddressDst, out var dst));
        Assert.True(SockAddr.TryReadFromExtension(dst, out var address, out var port));
        Assert.Equal(IPAddress.Parse("192.0.2.2"), address);
        Assert.Equal(0, port);
    }

    [Theory]
    [InlineData(4, "does not match")]
    [InlineData(16, "length 0")]
    [InlineData(32, "runs past the end")]
    public void Malformed_framing_is_an_error_with_its_offset(int corruptAt, string expected)
    {
        var bytes = DeleteMessage();
        switch (corruptAt)
        {
            case 4: bytes[4] = 9; break;
            case 16: bytes[16] = 0; break;
            case 32: bytes[32] = 9; break;
        }

        Assert.False(PfKeyMessage.TryParse(bytes, out _, out var error));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_extension_is_refused()
    {
        var bytes = DeleteMessage();
        bytes[58] = (byte)SadbExtensionType.AddressSrc;
        Assert.False(PfKeyMessage.TryParse(bytes, out _, out var error));
        Assert.Equal(56, error.Offset);
    }

    [Fact]
    public void Dump_splits_back_to_back_records_and_stops_at_zero_length()
    {
        var one = DeleteMessage();
        var dump = one.Concat(one).Concat(new byte[16]).ToArray();
        Assert.True(PfKeyMessage.TryParseDump(dump, out var messages, out _));
        Assert.Equal(2, messages.Length);
    }

    [Fact]
    public void A_malformed_dump_record_is_skipped_and_the_rest_are_kept()
    {
        var good = DeleteMessage();
        var bad = DeleteMessage();
        bad[58] = (byte)SadbExtensionType.AddressSrc; // duplicate extension inside an otherwise framed record
        var dump = good.Concat(bad).Concat(good).ToArray();
        Assert.False(PfKeyMessage.TryParseDump(dump, out var messages, out var error));
        Assert.Equal(2, messages.Length);
        Assert.Equal(good.Length + 56, error.Offset);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 96)];
            random.NextBytes(bytes);
            if (bytes.Length >= 16)
            {
                bytes[4] = (byte)(bytes.Length / 8);
                bytes[5] = 0;
            }

            _ = PfKeyMessage.TryParse(bytes, out _, out _);
            _ = PfKeyMessage.TryParseDump(bytes, out _, out _);
        }

        Assert.True(PfKeyMessage.TryParse(DeleteMessage(), out _, out _));
    }
}
