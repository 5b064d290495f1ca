using System.Buffers.Binary;
using System.Net;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// The PF_KEY messages an IKE daemon writes when it sets up a tunnel: a mature ESP SA with keys
/// (ADD), and the flow that uses it (X_ADDFLOW). For demos, benchmarks and tests that play the
/// part of isakmpd or iked against a simulated kernel.
/// </summary>
public static class IkeDaemonMessages
{
    /// <summary>An ESP tunnel SA from <paramref name="source"/> to <paramref name="destination"/>, AES-256 + HMAC-SHA2-256.</summary>
    public static byte[] AddEspSa(uint pid, uint sequence, uint spi, IPAddress source, IPAddress destination) =>
        EspSa(SadbMessageType.Add, pid, sequence, spi, source, destination);

    /// <summary>The same ADD with the given keys: AES (16, 24 or 32 bytes) and HMAC-SHA2-256 (32 bytes).</summary>
    public static byte[] AddEspSa(uint pid, uint sequence, uint spi, IPAddress source, IPAddress destination, byte[] encryptionKey, byte[] authenticationKey) =>
        EspSa(SadbMessageType.Add, pid, sequence, spi, source, destination, encryptionKey, authenticationKey);

    /// <summary>The UPDATE that completes an SA reserved by GETSPI (isakmpd does GETSPI then UPDATE for inbound SAs).</summary>
    public static byte[] UpdateEspSa(uint pid, uint sequence, uint spi, IPAddress source, IPAddress destination) =>
        EspSa(SadbMessageType.Update, pid, sequence, spi, source, destination);

    /// <summary>GETSPI for exactly <paramref name="spi"/> (an SPI range of one).</summary>
    public static byte[] GetSpi(uint pid, uint sequence, uint spi, IPAddress source, IPAddress destination) =>
        new PfKeyMessageBuilder(SadbMessageType.GetSpi, SadbSaType.Esp, sequence, pid)
            .Add(new AddressExtension(SadbExtensionType.AddressSrc, source))
            .Add(new AddressExtension(SadbExtensionType.AddressDst, destination))
            .Add(new SpiRangeExtension(spi, spi))
            .Build();

    /// <summary>The DELETE of the ESP SA <paramref name="spi"/> from <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public static byte[] DeleteSa(uint pid, uint sequence, uint spi, IPAddress source, IPAddress destination) =>
        new PfKeyMessageBuilder(SadbMessageType.Delete, SadbSaType.Esp, sequence, pid)
            .Add(new SaExtension(spi, 0, SadbSaState.Mature, SadbAuthAlgorithm.None, SadbEncryptionAlgorithm.None, 0))
            .Add(new AddressExtension(SadbExtensionType.AddressSrc, source))
            .Add(new AddressExtension(SadbExtensionType.AddressDst, destination))
            .Build();

    /// <summary>An outbound REQUIRE flow from <paramref name="localNet"/> to <paramref name="remoteNet"/> (both /24) via <paramref name="peer"/>.</summary>
    public static byte[] AddFlow(uint pid, uint sequence, IPAddress localNet, IPAddress remoteNet, IPAddress peer) =>
        AddFlow(pid, sequence, localNet, Mask24(localNet), remoteNet, Mask24(remoteNet), peer);

    /// <summary>An outbound REQUIRE flow between any two networks, given with their masks, via <paramref name="peer"/>.</summary>
    public static byte[] AddFlow(uint pid, uint sequence, IPAddress localNet, IPAddress localMask, IPAddress remoteNet, IPAddress remoteMask, IPAddress peer) =>
        new PfKeyMessageBuilder(SadbMessageType.XAddFlow, SadbSaType.Esp, sequence, pid)
            .Add(new AddressExtension(SadbExtensionType.AddressDst, peer))
            .Add(new AddressExtension(SadbExtensionType.XSrcFlow, localNet))
            .Add(new AddressExtension(SadbExtensionType.XSrcMask, localMask))
            .Add(new AddressExtension(SadbExtensionType.XDstFlow, remoteNet))
            .Add(new AddressExtension(SadbExtensionType.XDstMask, remoteMask))
            .Add(new ProtocolExtension(0))
            .Add(new FlowTypeExtension(SadbFlowType.Require, SadbDirection.Out))
            .Build();

    /// <summary>The <paramref name="index"/>-th /24 in 10.0.0.0/8, to give each simulated tunnel its own networks.</summary>
    public static IPAddress Network(int index)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, NetworkAddress(index));
        return new IPAddress(bytes);
    }

    /// <summary><see cref="Network"/> as a number (host order).</summary>
    public static uint NetworkAddress(int index) => 0x0A000000u | ((uint)(index & 0xFFFF) << 8);

    private static IPAddress Mask24(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? IPAddress.Parse("255.255.255.0")
            : IPAddress.Parse("ffff:ffff:ffff:ffff::");

    private static byte[] EspSa(SadbMessageType type, uint pid, uint sequence, uint spi, IPAddress source, IPAddress destination)
    {
        // Keys only need to be distinct per SA; they never leave the simulation.
        var encryption = new byte[32];
        var authentication = new byte[32];
        BinaryPrimitives.WriteUInt32BigEndian(encryption, spi);
        BinaryPrimitives.WriteUInt32BigEndian(authentication, ~spi);
        return EspSa(type, pid, sequence, spi, source, destination, encryption, authentication);
    }

    private static byte[] EspSa(
        SadbMessageType type, uint pid, uint sequence, uint spi, IPAddress source, IPAddress destination, byte[] encryption, byte[] authentication)
    {
        return new PfKeyMessageBuilder(type, SadbSaType.Esp, sequence, pid)
            .Add(new SaExtension(spi, 16, SadbSaState.Mature, SadbAuthAlgorithm.XSha2_256, SadbEncryptionAlgorithm.XAes, SadbSaFlags.XTunnel))
            .Add(new LifetimeExtension(SadbExtensionType.LifetimeHard, 0, 0, 3600, 0))
            .Add(new LifetimeExtension(SadbExtensionType.LifetimeSoft, 0, 0, 3240, 0))
            .Add(new AddressExtension(SadbExtensionType.AddressSrc, source))
            .Add(new AddressExtension(SadbExtensionType.AddressDst, destination))
            .Add(KeyExtension.FromKey(SadbExtensionType.KeyAuth, authentication))
            .Add(KeyExtension.FromKey(SadbExtensionType.KeyEncrypt, encryption))
            .Build();
    }
}
