using Sasync.Core.PfKey;
using static Sasync.Tests.PfKey.PfKeyGolden;

namespace Sasync.Tests.PfKey;

public class PfKeyValidationTests
{
    // Every case is a whole message whose header length is right; the error is in an extension at byte 16.
    public static TheoryData<string, string, int> BadExtensions => new()
    {
        { "0300 0100 00001234 20 01 05 0c 04020000 0000000000000000", "expected 16", 16 }, // SA of 24 bytes
        { "0300 0300 0a000000 0010000000000000 100e000000000000", "expected 32", 16 }, // lifetime of 24 bytes
        { "0300 0500 00000000 20 02 0000 c0000201 0000000000000000", "runs past", 24 }, // sockaddr of 32 in a 24-byte extension
        { "0300 0500 00000000 01 02 0000 c0000201 0000000000000000", "too short", 24 }, // sockaddr length 1
        { "0500 0500 00000000 10 02 0000 c0000201 0000000000000000 0000000000000000 0000000000000000", "expected 24", 16 }, // padded wrong
        { "0500 0500 00000000 1c 02 0000 c0000201 0000000000000000 0000000000000000 00000000 00000000", "expected 16 for its family", 24 }, // AF_INET of 28
        { "0300 0500 00000000 10 18 0000 c0000201 0000000000000000", "expected 28 for its family", 24 }, // AF_INET6 of 16
        { "0100 0500 00000000", "no room for a sockaddr", 16 }, // address header only
        { "0300 0900 0000 0000 000102030405060708090a0b0c0d0e0f", "0 bits", 20 }, // key of 0 bits
        { "0300 0900 0001 0000 000102030405060708090a0b0c0d0e0f", "for a 256-bit key", 16 }, // 256 bits in 16 bytes
        { "0300 0a00 0200 0000 0000000000000000 6161616161616161", "not NUL-terminated", 32 }, // identity without NUL
        { "0400 0a00 0200 0000 0000000000000000 6100000000000000 0000000000000000", "for a 1-byte string", 16 }, // identity with extra padding
        { "0200 2100 09000000 76706e0000000000", "runs past", 20 }, // tag length 9 in 8 bytes
        { "0300 0c00 01000000 02 02 03 00 00000000 0102030405060708", "bitmap lengths", 16 }, // sens_len 2 in 1 unit
        { "0200 0d00 01 20 0000 0000000000000000", "combinations", 24 }, // 8-byte proposal body
        { "0200 1400 03 02 00 00 00000000 00000000", "expected 8", 16 }, // flow type of 16 bytes
        { "0100 2700 00000000", "expected 16", 16 }, // replay of 8 bytes
        { "0100 2400 00000000", "expected 72", 16 }, // counter of 8 bytes
        { "0100 2800 01000000", "expected 16", 16 }, // iface of 8 bytes
    };

    [Theory]
    [MemberData(nameof(BadExtensions))]
    public void Malformed_extension_is_an_error_at_its_offset(string extension, string expected, int offset)
    {
        var bytes = Message(3, 2, 1, 42, extension);
        Assert.False(PfKeyMessage.TryParse(bytes, out var message, out var error));
        Assert.Null(message);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(offset, error.Offset);
    }

    [Theory]
    [InlineData(0, "shorter than the 16-byte header")]
    [InlineData(8, "shorter than the 16-byte header")]
    [InlineData(15, "shorter than the 16-byte header")]
    public void Short_buffer_is_an_error(int length, string expected)
    {
        Assert.False(PfKeyMessage.TryParse(new byte[length], out _, out var error));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_length_must_match_the_buffer()
    {
        var bytes = Message(9, 0, 1, 42);
        Assert.False(PfKeyMessage.TryParse(bytes.Concat(new byte[8]).ToArray(), out _, out var longer));
        Assert.Contains("does not match the 24 bytes", longer.Message, StringComparison.Ordinal);
        bytes[4] = 3;
        Assert.False(PfKeyMessage.TryParse(bytes, out _, out var shorter));
        Assert.Equal(4, shorter.Offset);
    }

    [Fact]
    public void Extension_running_past_the_message_is_an_error()
    {
        var bytes = Message(4, 2, 1, 42, Sa, AddressSrc);
        bytes[32] = 4; // ADDRESS_SRC claims 32 bytes, 24 are left
        Assert.False(PfKeyMessage.TryParse(bytes, out _, out var error));
        Assert.Equal(32, error.Offset);
        Assert.Contains("runs past the end of the message (24 bytes left)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_length_extension_is_an_error()
    {
        var bytes = Message(4, 2, 1, 42, Sa, "0000 0500 00000000 0000000000000000");
        Assert.False(PfKeyMessage.TryParse(bytes, out _, out var error));
        Assert.Equal(32, error.Offset);
        Assert.Contains("length 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Sa)]
    [InlineData(Unknown99)]
    [InlineData(LocalCredentials)]
    public void Duplicate_extension_is_an_error_at_the_second_copy(string extension)
    {
        var bytes = Message(3, 2, 1, 42, AddressDst, extension, extension);
        Assert.False(PfKeyMessage.TryParse(bytes, out _, out var error));
        Assert.Equal(16 + 24 + (Bytes(extension).Length), error.Offset);
        Assert.Contains("appears twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_of_a_large_unknown_type_is_an_error()
    {
        const string Type300 = "0100 2c01 00000000";
        Assert.True(PfKeyMessage.TryParse(Message(3, 2, 1, 42, Type300), out _, out _));
        Assert.False(PfKeyMessage.TryParse(Message(3, 2, 1, 42, Type300, Type300), out _, out var error));
        Assert.Equal(24, error.Offset);
    }

    [Fact]
    public void Identity_that_is_not_utf8_is_accepted_like_the_kernel_does_and_rebuilds_exactly()
    {
        var bytes = Message(3, 2, 1, 42, "0300 0a00 0400 0000 0000000000000000 43 3d fc 00 00000000");
        Assert.True(PfKeyMessage.TryParse(bytes, out var message, out var error), error.ToString());
        Assert.True(message.TryGetIdentity(SadbExtensionType.IdentitySrc, out var identity));
        Assert.Equal("C=\uFFFD", identity.Value);
        Assert.Equal(bytes, PfKeyMessageBuilder.From(message).Build());
    }

    [Fact]
    public void Typed_readers_refuse_an_extension_of_another_type()
    {
        var sa = new PfKeyExtension(SadbExtensionType.Sa, Bytes(Sa));
        Assert.False(AddressExtension.TryRead(sa, out _, out var error));
        Assert.Contains("does not hold an address", error.Message, StringComparison.Ordinal);
        Assert.False(KeyExtension.TryRead(sa, out _, out _));
        Assert.False(FlowTypeExtension.TryRead(sa, out _, out _));
        Assert.True(SaExtension.TryRead(sa, out _, out _));
    }

    [Fact]
    public void Dump_with_a_malformed_record_reports_the_offset_inside_the_dump()
    {
        var good = Message(10, 2, 0, 0, Sa, AddressSrc, AddressDst);
        var bad = Message(10, 2, 0, 0, "0300 0100 00001234 20 01 05 0c 04020000 0000000000000000");
        Assert.False(PfKeyMessage.TryParseDump(good.Concat(bad).ToArray(), out var messages, out var error));
        Assert.Single(messages);
        Assert.Equal(good.Length + 16, error.Offset);
    }

    [Fact]
    public void The_address_type_test_agrees_with_the_list_of_address_types()
    {
        for (var type = 0; type <= 64; type++)
        {
            var t = (SadbExtensionType)type;
            Assert.Equal(AddressExtension.Types.Contains(t), AddressExtension.IsAddressType(t));
        }
    }
}
