using System.Buffers.Binary;
using System.Net;
using Sasync.Core.Loopback;
using Sasync.Core.PfKey;
using Sasync.Core.Simulation;

namespace Sasync.Tests.PfKey;

public class ExtensionQuickCheckTests
{
    // Extensions of every type below 32 with random lengths and bodies, nudged towards the layouts the quick check
    // accepts: whatever it calls good, the full reader must accept too.
    [Fact]
    public void An_extension_the_quick_check_calls_good_is_one_the_full_check_accepts()
    {
        var random = new Random(20261203);
        var good = new int[32];
        for (var i = 0; i < 200_000; i++)
        {
            var type = (ushort)random.Next(0, 32);
            var bytes = new byte[8 * random.Next(1, 10)];
            random.NextBytes(bytes);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)(bytes.Length / 8));
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), type);
            switch (random.Next(4))
            {
                case 0 when bytes.Length >= 10:
                    bytes[8] = random.Next(2) == 0 ? (byte)16 : (byte)28;
                    bytes[9] = random.Next(2) == 0 ? (byte)2 : (byte)24;
                    break;
                case 1:
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), (ushort)random.Next(0, 8 * 64));
                    break;
            }

            var quick = ExtensionQuickCheck.IsKnownGood(type, bytes);
            // The typed reader, which validation falls back on (TryValidate itself starts with the quick check).
            var full = PfKeyExtensionReader.TryRead(new PfKeyExtension((SadbExtensionType)type, bytes), out _, out var error);
            if (quick)
            {
                Assert.True(full, $"type {type}, {bytes.Length} bytes: quick check good, full check says {error}");
                good[type]++;
            }
        }

        // It did accept each type it knows, so the comparison above was not vacuous.
        foreach (var type in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 18, 19, 20, 21, 22, 23, 24 })
        {
            Assert.True(good[type] > 0, $"type {type} was never found good");
        }
    }

    [Fact]
    public void Every_extension_of_a_tunnel_s_SA_and_flow_is_known_good_by_the_quick_check()
    {
        var v6 = IPAddress.Parse("2001:db8::1");
        var messages = new TunnelMessages(IPAddress.Loopback, ClusterWorkload.RemoteGateway);
        foreach (var bytes in new[]
        {
            messages.Sa(3).ToArray(), messages.Flow(3).ToArray(),
            IkeDaemonMessages.AddEspSa(1, 1, 0x1234, v6, IPAddress.Parse("2001:db8::2")),
        })
        {
            Assert.True(PfKeyMessage.TryParse(bytes, out var message, out var error), error.ToString());
            Assert.All(message.Extensions, e => Assert.True(ExtensionQuickCheck.IsKnownGood((ushort)e.Type, e.Span), $"{e.Type}"));
        }
    }

    [Theory]
    [InlineData(5, 24, 16, 24)] // AF_INET6 family with an AF_INET length
    [InlineData(5, 24, 28, 2)] // AF_INET family with an AF_INET6 length
    [InlineData(8, 16, 0, 0)] // a key of 0 bits
    public void A_malformed_extension_is_left_to_the_full_check_which_refuses_it(ushort type, int length, byte first, byte second)
    {
        var bytes = new byte[length];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)(length / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), type);
        if (type == 8)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), first);
        }
        else
        {
            (bytes[8], bytes[9]) = (first, second);
        }

        Assert.False(ExtensionQuickCheck.IsKnownGood(type, bytes));
        Assert.False(PfKeyExtensionReader.TryValidate(new PfKeyExtension((SadbExtensionType)type, bytes), out var error));
        Assert.NotEqual(default, error);
    }
}
