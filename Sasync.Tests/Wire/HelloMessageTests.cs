using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

public class HelloMessageTests
{
    private static readonly UInt128 Instance = new(0x0011223344556677, 0x8899AABBCCDDEEFF);
    private static readonly HelloNonce Nonce = new(new UInt128(0x0102030405060708, 0x090A0B0C0D0E0F10), new UInt128(0x1112131415161718, 0x191A1B1C1D1E1F20));
    private const string NonceHex = "0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20";

    [Fact]
    public void Hello_v2_is_type_version_capabilities_instance_and_nonce_big_endian()
    {
        var hello = new HelloMessage(HelloMessage.CurrentVersion, (uint)(HelloCapabilities.ExtendedChannel | HelloCapabilities.DigestResync), Instance, Nonce);
        var bytes = hello.ToBytes();

        Assert.Equal("53430001" + "00000002" + "00000003" + "00112233445566778899AABBCCDDEEFF" + NonceHex, Convert.ToHexString(bytes));
        Assert.Equal(60, bytes.Length);
        // Longer than the original's 12-byte control message, which an original reads as an unknown type.
        Assert.True(bytes.Length > ControlMessage.Size);
    }

    [Fact]
    public void Hello_v1_is_the_first_28_bytes_alone()
    {
        var bytes = new HelloMessage(1, 0x5, Instance).ToBytes();

        Assert.Equal("53430001" + "00000001" + "00000005" + "00112233445566778899AABBCCDDEEFF", Convert.ToHexString(bytes));
        Assert.True(HelloMessage.TryRead(bytes, out var hello));
        Assert.False(hello.HasNonce);
        Assert.Equal(new HelloMessage(1, 5, Instance), hello);
    }

    [Fact]
    public void Hello_v2_reads_back_with_its_nonce_and_capabilities()
    {
        var bytes = Convert.FromHexString("53430001" + "00000002" + "00000001" + "00112233445566778899AABBCCDDEEFF" + NonceHex);

        Assert.True(HelloMessage.TryRead(bytes, out var hello));
        Assert.Equal(new HelloMessage(2, 1, Instance, Nonce), hello);
        Assert.Equal(HelloCapabilities.ExtendedChannel, hello.Offers);
        Assert.True(hello.HasNonce);
    }

    [Fact]
    public void Hello_reads_back_and_ignores_trailing_bytes_of_a_later_version()
    {
        var bytes = Convert.FromHexString("53430001" + "00000003" + "00000000" + "00112233445566778899AABBCCDDEEFF" + NonceHex + "DEADBEEF");

        Assert.True(HelloMessage.TryRead(bytes, out var hello));
        Assert.Equal(new HelloMessage(3, 0, Instance, Nonce), hello);
    }

    [Fact]
    public void A_version_1_reader_finds_its_fields_of_a_v2_hello_where_it_always_did()
    {
        var v2 = new HelloMessage(2, 3, Instance, Nonce).ToBytes();

        // A version-1 build reads type, version, capabilities and instance at offsets 0, 4, 8 and 12 and ignores the rest.
        Assert.Equal(HelloMessage.Type, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(v2));
        Assert.Equal(2u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(v2.AsSpan(4)));
        Assert.Equal(3u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(v2.AsSpan(8)));
        Assert.Equal(Instance, System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(v2.AsSpan(12)));
    }

    [Theory]
    [InlineData("000000010000000200000000")]                                   // a STATE
    [InlineData("5343000100000001000000000011223344556677")]                   // cut short
    [InlineData("53430002000000010000000000112233445566778899AABBCCDDEEFF")]   // another type
    [InlineData("53430001000000020000000000112233445566778899AABBCCDDEEFF0102")] // version 2 without its nonce
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

    [Fact]
    public void Finished_carries_its_mac_past_the_first_aes_block()
    {
        var mac = Enumerable.Range(0xA0, 32).Select(i => (byte)i).ToArray();
        var bytes = FinishedMessage.ToBytes(mac);

        Assert.Equal("53430002" + "00000002" + "0000000000000000" + Convert.ToHexString(mac), Convert.ToHexString(bytes));
        Assert.True(FinishedMessage.TryRead(bytes, out var read));
        Assert.Equal(mac, read.ToArray());
        Assert.True(FinishedMessage.MacOffset >= 16);
        Assert.False(FinishedMessage.TryRead(bytes.AsSpan(0, 47), out _));
        Assert.False(HelloMessage.IsHello(bytes));
    }
}
