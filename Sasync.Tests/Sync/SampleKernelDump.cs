using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using static Sasync.Tests.PfKey.TestMessages;

namespace Sasync.Tests.Sync;

/// <summary>A small MASTER's kernel as the engine tests dump it: two ESP SAs (one with an MTU) and one flow.</summary>
internal static class SampleKernelDump
{
    public static readonly byte[] Sadb = Concat(
        Message(SadbMessageType.Dump, SadbSaType.Esp, 0, 0, Sa(1), Address(SadbExtensionType.AddressSrc, "192.0.2.1"),
            Address(SadbExtensionType.AddressDst, "192.0.2.2"), Key(SadbExtensionType.KeyEncrypt, 128), Ext(SadbExtensionType.XMtu, 4)),
        Message(SadbMessageType.Dump, SadbSaType.Esp, 0, 0, Sa(3), Address(SadbExtensionType.AddressDst, "192.0.2.2"),
            Key(SadbExtensionType.KeyEncrypt, 128)));

    public static readonly byte[] Spd = Message(SadbMessageType.XSpdDump, SadbSaType.Esp, 0, 0,
        Address(SadbExtensionType.XSrcFlow, "10.0.1.0"), Address(SadbExtensionType.XDstFlow, "10.0.2.0"),
        Address(SadbExtensionType.XSrcMask, "255.255.255.0"), Address(SadbExtensionType.XDstMask, "255.255.255.0"),
        Ext(SadbExtensionType.XFlowType, 4));

    public static KernelDump Both => new(Sadb, Spd);
}
