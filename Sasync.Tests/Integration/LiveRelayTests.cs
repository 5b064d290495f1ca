using Sasync.Core.PfKey;
using Sasync.Core.Simulation;
using Sasync.Tests.Support;
using static Sasync.Tests.Integration.Scenario;

namespace Sasync.Tests.Integration;

/// <summary>What the MASTER's IKE daemon does reaches the backup as it happens, minus what the filter keeps back.</summary>
public sealed class LiveRelayTests
{
    [Fact]
    public async Task Getspi_then_update_arrives_as_a_mature_sa_and_delete_is_relayed()
    {
        await using var cluster = await StartClusterAsync();
        var master = cluster[1];
        var backup = cluster[2];
        await RelayingAsync(master);
        await AddTunnelsAsync(master, 0, 2);
        await ConvergedAsync(master, 2, backup);

        // isakmpd reserves an inbound SPI, then completes the SA with UPDATE.
        const uint inbound = 0x7001;
        await master.WriteAsIkeAsync((pid, seq) => IkeDaemonMessages.GetSpi(pid, seq, inbound, RemoteGateway, master.Address), default);
        await Eventually.TrueAsync(() => master.Host.Kernel.Sas.Any(s => s.Spi == inbound && s.State == SadbSaState.Larval), "the master holds a larval SA");
        await master.WriteAsIkeAsync((pid, seq) => IkeDaemonMessages.UpdateEspSa(pid, seq, inbound, RemoteGateway, master.Address), default);
        await Eventually.TrueAsync(() => backup.Host.Kernel.Sas.Any(s => s.Spi == inbound), "the updated SA reached the backup");
        var copy = backup.Host.Kernel.Sas.Single(s => s.Spi == inbound);
        Assert.Equal(SadbSaState.Mature, copy.State);
        Assert.True(copy.HasEncryptionKey && copy.HasAuthenticationKey);

        await DeleteTunnelSaAsync(master, 0);
        await ConvergedAsync(master, 2, backup);
        Assert.DoesNotContain(backup.Host.Kernel.Sas, s => s.Spi == SpiOf(0));

        var status = await StatusAsync(master);
        Assert.True(status.Engine.Counters.Filtered.GetValueOrDefault(FilterReason.NeverSyncedType) >= 1, "GETSPI was counted as never synced");
        Assert.True(status.Engine.Counters.MessagesRelayed >= 6, $"relayed {status.Engine.Counters.MessagesRelayed}");
    }

    [Fact]
    public async Task An_add_without_an_encryption_key_is_not_relayed_and_is_counted_as_larval()
    {
        await using var cluster = await StartClusterAsync();
        var master = cluster[1];
        var backup = cluster[2];
        await RelayingAsync(master);
        await AddTunnelsAsync(master, 0, 1);
        await ConvergedAsync(master, 1, backup);

        // The kernel refuses a non-mature ADD, so the filter's "larval" case is what sasyncd treats as
        // one: an ADD without an encryption key (here an AH SA, which has only an authentication key).
        const uint larval = 0x7100;
        await master.WriteAsIkeAsync(
            (pid, seq) => new PfKeyMessageBuilder(SadbMessageType.Add, SadbSaType.Ah, seq, pid)
                .Add(new SaExtension(larval, 16, SadbSaState.Mature, SadbAuthAlgorithm.XSha2_256, SadbEncryptionAlgorithm.None, SadbSaFlags.XTunnel))
                .Add(new AddressExtension(SadbExtensionType.AddressSrc, master.Address))
                .Add(new AddressExtension(SadbExtensionType.AddressDst, RemoteGateway))
                .Add(KeyExtension.FromKey(SadbExtensionType.KeyAuth, new byte[32]))
                .Build(),
            default);
        // A later tunnel that does arrive shows the larval ADD had its chance to be relayed before it.
        await AddTunnelsAsync(master, 1, 1, withFlows: false);
        await Eventually.TrueAsync(() => backup.Host.Kernel.Sas.Any(s => s.Spi == SpiOf(1)), "the later SA reached the backup");

        Assert.Contains(master.Host.Kernel.Sas, s => s.Spi == larval);
        Assert.DoesNotContain(backup.Host.Kernel.Sas, s => s.Spi == larval);
        var status = await StatusAsync(master);
        Assert.Equal(1, status.Engine.Counters.Filtered.GetValueOrDefault(FilterReason.LarvalAdd));
    }
}
