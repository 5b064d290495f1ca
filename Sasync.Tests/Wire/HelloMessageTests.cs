using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

public class HelloMessageTests
{
    private static readonly UInt128 Instance = new(0x0011223344556677, 0x8899AABBCCDDEEFF);

    [Fact]
    public void Hello_is_type_version_capabilities_and_instance_big_endian()
    {
        var bytes = new HelloMessage(HelloMessage.CurrentVersion, 0x5, Instance).ToBytes();

        Assert.Equal("53430001" + "00000001" + "00000005" + "00112233445566778899AABBCCDDEEFF", Convert.ToHexString(bytes));
        // Longer than the original's 12-byte control message, which an original reads as an unknown type.
        Assert.True(bytes.Length > Sasync.Core.Wire.ControlMessage.Size);
    }

    [Fact]
    public void Hello_reads_back_and_ignores_trailing_bytes_of_a_later_version()
    {
        var bytes = Convert.FromHexString("53430001" + "00000002" + "00000000" + "00112233445566778899AABBCCDDEEFF" + "DEADBEEF");

        Assert.True(HelloMessage.TryRead(bytes, out var hello));
        Assert.Equal(new HelloMessage(2, 0, Instance), hello);
    }

    [Theory]
    [InlineData("000000010000000200000000")]                                   // a STATE
    [InlineData("5343000100000001000000000011223344556677")]                   // cut short
    [InlineData("53430002000000010000000000112233445566778899AABBCCDDEEFF")]   // another type
    public void Anything_else_is_no_hello(string hex)
    {
        Assert.False(HelloMessage.TryRead(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void A_short_message_of_the_hello_type_still_counts_as_a_claimed_hello()
    {
        Assert.True(HelloMessage.IsHello(Convert.FromHexString("53430001")));
        Assert.False(HelloMessage.IsHello(Convert.FromHexString("534300")));
    }
}
