using System.Net;
using Sasync.Core.PfKey;
using Sasync.Core.Simulation;

namespace Sasync.Tests.Simulation;

/// <summary>PF_KEY messages as an IKE daemon would write them, for the kernel tests.</summary>
internal static class KernelTestMessages
{
    public static readonly IPAddress Local = IPAddress.Parse("192.0.2.1");
    public static readonly IPAddress Peer = IPAddress.Parse("192.0.2.2");

    private static readonly byte[] AuthKey = [.. Enumerable.Range(1, 20).Select(i => (byte)i)];
    private static readonly byte[] EncryptKey = [.. Enumerable.Range(100, 16).Select(i => (byte)i)];

    public static SaExtension MatureSa(uint spi, SadbExtensionType type = SadbExtensionType.Sa) =>
        new(spi, 16, SadbSaState.Mature, SadbAuthAlgorithm.Sha1Hmac, SadbEncryptionAlgorithm.XAes, SadbSaFlags.XTunnel, type);

    public static PfKeyMessageBuilder Add(uint pid, uint spi, SadbSaType saType = SadbSaType.Esp, IPAddress? destination = null, uint sequence = 1) =>
        new PfKeyMessageBuilder(SadbMessageType.Add, saType, sequence, pid)
            .Add(MatureSa(spi))
            .Add(new AddressExtension(SadbExtensionType.AddressSrc, Local))
            .Add(new AddressExtension(SadbExtensionType.AddressDst, destination ?? Peer))
            .Add(KeyExtension.FromKey(SadbExtensionType.KeyAuth, AuthKey))
            .Add(KeyExtension.FromKey(SadbExtensionType.KeyEncrypt, EncryptKey));

    public static PfKeyMessageBuilder GetSpi(uint pid, uint min, uint max, SadbSaType saType = SadbSaType.Esp) =>
        new PfKeyMessageBuilder(SadbMessageType.GetSpi, saType, 7, pid)
            .Add(new AddressExtension(SadbExtensionType.AddressSrc, Local))
            .Add(new AddressExtension(SadbExtensionType.AddressDst, Peer))
            .Add(new SpiRangeExtension(min, max));

    public static PfKeyMessageBuilder Update(uint pid, uint spi) =>
        new PfKeyMessageBuilder(SadbMessageType.Update, SadbSaType.Esp, 8, pid)
            .Add(MatureSa(spi))
            .Add(new AddressExtension(SadbExtensionType.AddressSrc, Local))
            .Add(new AddressExtension(SadbExtensionType.AddressDst, Peer))
            .Add(KeyExtension.FromKey(SadbExtensionType.KeyAuth, AuthKey))
            .Add(KeyExtension.FromKey(SadbExtensionType.KeyEncrypt, EncryptKey));

    public static PfKeyMessageBuilder Delete(uint pid, uint spi, SadbSaType saType = SadbSaType.Esp) =>
        new PfKeyMessageBuilder(SadbMessageType.Delete, saType, 9, pid)
            .Add(MatureSa(spi))
            .Add(new AddressExtension(SadbExtensionType.AddressDst, Peer));

    public static PfKeyMessageBuilder Flush(uint pid, SadbSaType saType) => new(SadbMessageType.Flush, saType, 10, pid);

    public static PfKeyMessageBuilder Flow(
        SadbMessageType type,
        uint pid,
        string sourceNet,
        string sourceMask,
        string destinationNet,
        string destinationMask,
        SadbFlowType flowType = SadbFlowType.Require,
        SadbDirection direction = SadbDirection.Out,
        SadbSaType saType = SadbSaType.Esp,
        byte protocol = 0) =>
        WithPeer(new PfKeyMessageBuilder(type, saType, 11, pid), type == SadbMessageType.XAddFlow)
            .Add(new FlowTypeExtension(flowType, direction))
            .Add(new ProtocolExtension(protocol))
            .Add(new AddressExtension(SadbExtensionType.XSrcFlow, IPAddress.Parse(sourceNet)))
            .Add(new AddressExtension(SadbExtensionType.XSrcMask, IPAddress.Parse(sourceMask)))
            .Add(new AddressExtension(SadbExtensionType.XDstFlow, IPAddress.Parse(destinationNet)))
            .Add(new AddressExtension(SadbExtensionType.XDstMask, IPAddress.Parse(destinationMask)));

    // X_DELFLOW allows no address extensions.
    private static PfKeyMessageBuilder WithPeer(PfKeyMessageBuilder builder, bool add) =>
        add ? builder.Add(new AddressExtension(SadbExtensionType.AddressDst, Peer)) : builder;

    public static List<ReadOnlyMemory<byte>> Drain(SimulatedKeyClient client)
    {
        var messages = new List<ReadOnlyMemory<byte>>();
        while (client.TryRead(out var message))
        {
            messages.Add(message);
        }

        return messages;
    }

    public static PfKeyMessage Parse(ReadOnlyMemory<byte> bytes) =>
        PfKeyMessage.TryParse(bytes, out var message, out var error) ? message : throw new InvalidOperationException(error.ToString());

    public static SaExtension ReadSa(PfKeyMessage message, SadbExtensionType type = SadbExtensionType.Sa)
    {
        Assert.True(message.TryGet(type, out var extension));
        Assert.True(SaExtension.TryRead(extension, out var sa, out var error), error.ToString());
        return sa;
    }
}
