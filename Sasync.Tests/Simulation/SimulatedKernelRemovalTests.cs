using Sasync.Core.PfKey;
using Sasync.Core.Simulation;
using static Sasync.Tests.Simulation.KernelTestMessages;

namespace Sasync.Tests.Simulation;

/// <summary>
/// Removing and replacing SADB and SPD entries keeps the others in their place and drops every
/// bundle link to a removed SA (the kernel's tables are linked lists with per-entry nodes).
/// </summary>
public sealed class SimulatedKernelRemovalTests
{
    private const uint Pid = 78;

    [Fact]
    public async Task Deleting_an_SA_in_the_middle_keeps_the_others_in_insertion_order()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        foreach (var spi in new uint[] { 0x1001, 0x1002, 0x1003 })
        {
            await ike.WriteAsync(Add(Pid, spi).Build(), default);
        }

        await ike.WriteAsync(Delete(Pid, 0x1002).Build(), default);
        await ike.WriteAsync(Add(Pid, 0x1004).Build(), default);

        Assert.Equal([0x1001u, 0x1003u, 0x1004u], kernel.Sas.Select(s => s.Spi));
    }

    [Fact]
    public async Task A_larval_SA_completed_by_UPDATE_keeps_its_place()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        await ike.WriteAsync(GetSpi(Pid, 0x3000, 0x3000).Build(), default);
        await ike.WriteAsync(Add(Pid, 0x4000).Build(), default);

        await ike.WriteAsync(Update(Pid, 0x3000).Build(), default);

        Assert.Equal([(0x3000u, SadbSaState.Mature), (0x4000u, SadbSaState.Mature)], kernel.Sas.Select(s => (s.Spi, s.State)));
    }

    [Fact]
    public async Task Deleting_the_second_SA_of_a_bundle_removes_it_from_the_first_SAs_record()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        await ike.WriteAsync(Add(Pid, 0x1111).Build(), default);
        await ike.WriteAsync(Add(Pid, 0x2222).Build(), default);
        await ike.WriteAsync(new PfKeyMessageBuilder(SadbMessageType.XGrpSpis, SadbSaType.Esp, 5, Pid)
            .Add(MatureSa(0x1111))
            .Add(new AddressExtension(SadbExtensionType.AddressDst, Peer))
            .Add(MatureSa(0x2222, SadbExtensionType.XSa2))
            .Add(new AddressExtension(SadbExtensionType.XDst2, Peer))
            .Add(new SaType2Extension(SadbSaType.Esp))
            .Build(), default);
        Assert.True(FirstRecordHasSa2(kernel));

        await ike.WriteAsync(Delete(Pid, 0x2222).Build(), default);

        Assert.False(FirstRecordHasSa2(kernel));
        Assert.Equal([0x1111u], kernel.Sas.Select(s => s.Spi));
    }

    [Fact]
    public async Task Deleting_a_flow_in_the_middle_keeps_the_others_newest_first()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        foreach (var net in new[] { "10.1.0.0", "10.2.0.0", "10.3.0.0" })
        {
            await ike.WriteAsync(Flow(SadbMessageType.XAddFlow, Pid, net, "255.255.0.0", "10.9.0.0", "255.255.0.0").Build(), default);
        }

        await ike.WriteAsync(Flow(SadbMessageType.XDelFlow, Pid, "10.2.0.0", "255.255.0.0", "10.9.0.0", "255.255.0.0").Build(), default);

        Assert.Equal(["10.3.0.0", "10.1.0.0"], kernel.Flows.Select(f => f.SourceFlow.ToString()));
    }

    private static bool FirstRecordHasSa2(SimulatedKernel kernel)
    {
        Assert.True(PfKeyMessage.TryParseDump(kernel.DumpSadb(), out var records, out var error), error.ToString());
        return records.Single(r => ReadSa(r).Spi == 0x1111).TryGet(SadbExtensionType.XSa2, out _);
    }
}
