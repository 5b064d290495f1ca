using Sasync.Core.PfKey;
using Sasync.Core.Simulation;
using static Sasync.Tests.Simulation.KernelTestMessages;

namespace Sasync.Tests.Simulation;

/// <summary>
/// A MASTER's simulated kernel with what a snapshot must handle: 16 ESP SAs (some with lifetimes), an SA group
/// with SA2/DST2/SATYPE2, an MTU (dump extensions an ADD must not carry) and 6 flows, written by an IKE daemon.
/// </summary>
internal static class BusyKernel
{
    public static async Task<SimulatedKernel> CreateAsync(uint ikePid)
    {
        var master = new SimulatedKernel();
        await using var ike = master.OpenClient(ikePid);
        for (uint spi = 0x100; spi < 0x110; spi++)
        {
            var add = Add(ikePid, spi);
            if (spi % 3 == 0)
            {
                add.Add(new LifetimeExtension(SadbExtensionType.LifetimeHard, 0, 1_000_000, 3600, 0))
                    .Add(new LifetimeExtension(SadbExtensionType.LifetimeSoft, 0, 800_000, 3000, 0));
            }

            await ike.WriteAsync(add.Build(), default);
        }

        // An SA group and an MTU: dump extensions a snapshot does not carry.
        await ike.WriteAsync(Add(ikePid, 0x2222, SadbSaType.XIpip).Build(), default);
        await ike.WriteAsync(new PfKeyMessageBuilder(SadbMessageType.XGrpSpis, SadbSaType.Esp, 5, ikePid)
            .Add(MatureSa(0x100))
            .Add(new AddressExtension(SadbExtensionType.AddressDst, Peer))
            .Add(MatureSa(0x2222, SadbExtensionType.XSa2))
            .Add(new AddressExtension(SadbExtensionType.XDst2, Peer))
            .Add(new SaType2Extension(SadbSaType.XIpip))
            .Build(), default);
        Assert.True(master.TrySetMtu(SadbSaType.Esp, 0x101, Peer, 1400));
        for (var i = 0; i < 6; i++)
        {
            await ike.WriteAsync(IkeDaemonMessages.AddFlow(ikePid, 100 + (uint)i, IkeDaemonMessages.Network(i), IkeDaemonMessages.Network(50 + i), Peer), default);
        }

        return master;
    }
}
