using System.Net;
using Sasync.Core.Platform;
using Sasync.Core.PfKey;
using Sasync.Core.Simulation;
using static Sasync.Tests.Simulation.KernelTestMessages;

namespace Sasync.Tests.Simulation;

public sealed class SimulatedKernelDumpTests
{
    private const uint Pid = 77;

    [Fact]
    public async Task The_SADB_dump_has_OpenBSDs_record_layout()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        await ike.WriteAsync(Add(Pid, 0xabcd).Build(), default);

        var dump = await KernelDumpChunks.ToWholeAsync(ike.DumpAsync(default));

        Assert.True(PfKeyMessage.TryParseDump(dump.Sadb, out var records, out var error), error.ToString());
        var record = Assert.Single(records);
        Assert.Equal((SadbMessageType.Dump, SadbSaType.Esp, 0u, 0u), (record.Type, record.Header.SaType, record.Header.Sequence, record.Header.Pid));
        Assert.Equal(
            [
                SadbExtensionType.Sa, SadbExtensionType.LifetimeCurrent, SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst,
                SadbExtensionType.KeyAuth, SadbExtensionType.KeyEncrypt, SadbExtensionType.XReplay, SadbExtensionType.XCounter,
            ],
            record.Extensions.Select(e => e.Type));
        Assert.Equal(MatureSa(0xabcd), ReadSa(record));
    }

    [Fact]
    public async Task X_MTU_and_the_SA2_group_appear_in_the_dump_where_pfkeyv2_get_puts_them()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        await ike.WriteAsync(Add(Pid, 0x1111).Build(), default);
        await ike.WriteAsync(Add(Pid, 0x2222, SadbSaType.XIpip).Build(), default);
        await ike.WriteAsync(new PfKeyMessageBuilder(SadbMessageType.XGrpSpis, SadbSaType.Esp, 5, Pid)
            .Add(MatureSa(0x1111))
            .Add(new AddressExtension(SadbExtensionType.AddressDst, Peer))
            .Add(MatureSa(0x2222, SadbExtensionType.XSa2))
            .Add(new AddressExtension(SadbExtensionType.XDst2, Peer))
            .Add(new SaType2Extension(SadbSaType.XIpip))
            .Build(), default);
        Assert.True(kernel.TrySetMtu(SadbSaType.Esp, 0x1111, Peer, 1400));

        Assert.True(PfKeyMessage.TryParseDump(kernel.DumpSadb(), out var records, out var error), error.ToString());

        var grouped = records.Single(r => ReadSa(r).Spi == 0x1111);
        Assert.Equal(
            [
                SadbExtensionType.Sa, SadbExtensionType.LifetimeCurrent, SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst,
                SadbExtensionType.KeyAuth, SadbExtensionType.KeyEncrypt, SadbExtensionType.XSa2, SadbExtensionType.XDst2,
                SadbExtensionType.XSaType2, SadbExtensionType.XReplay, SadbExtensionType.XMtu, SadbExtensionType.XCounter,
            ],
            grouped.Extensions.Select(e => e.Type));
        Assert.Equal(0x2222u, ReadSa(grouped, SadbExtensionType.XSa2).Spi);
        Assert.True(grouped.TryGet(SadbExtensionType.XMtu, out var mtu));
        Assert.True(MtuExtension.TryRead(mtu, out var typedMtu, out _));
        Assert.Equal(1400u, typedMtu.Mtu);

        // Re-typed to ADD as the original sasyncd does, this record is refused by a peer's kernel.
        await using var peer = new SimulatedKernel().OpenClient(Pid);
        var asAdd = PfKeyMessageBuilder.From(grouped);
        asAdd.Type = SadbMessageType.Add;
        asAdd.Pid = Pid;
        var refusal = await Assert.ThrowsAsync<KeyEngineException>(async () => await peer.WriteAsync(asAdd.Build(), default));
        Assert.Equal(OpenBsdErrno.EINVAL, refusal.Errno);
    }

    [Fact]
    public async Task SADB_dump_records_written_back_as_ADD_rebuild_the_same_SAs()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        await ike.WriteAsync(Add(Pid, 0x1001).Build(), default);
        await ike.WriteAsync(Add(Pid, 0x1002, SadbSaType.Ah, IPAddress.Parse("2001:db8::2")).Set(new AddressExtension(SadbExtensionType.AddressSrc, IPAddress.Parse("2001:db8::1"))).Build(), default);
        Assert.True(PfKeyMessage.TryParseDump(kernel.DumpSadb(), out var records, out _));

        var copy = new SimulatedKernel();
        await using var writer = copy.OpenClient(Pid);
        foreach (var record in records)
        {
            var add = PfKeyMessageBuilder.From(record);
            add.Type = SadbMessageType.Add;
            add.Pid = Pid;
            // What an ADD may not carry in a reply (snapshot rewriting drops these).
            add.Remove(SadbExtensionType.XReplay);
            add.Remove(SadbExtensionType.XCounter);
            await writer.WriteAsync(add.Build(), default);
        }

        Assert.Equal(kernel.Sas.ToArray(), copy.Sas.ToArray());
        Assert.True(PfKeyMessage.TryParseDump(copy.DumpSadb(), out var copied, out _));
        Assert.Equal(
            records.Select(r => r.Extensions.Where(e => e.Type != SadbExtensionType.LifetimeCurrent).Select(e => Convert.ToHexString(e.Span)).ToList()),
            copied.Select(r => r.Extensions.Where(e => e.Type != SadbExtensionType.LifetimeCurrent).Select(e => Convert.ToHexString(e.Span)).ToList()));
    }

    [Fact]
    public async Task SPD_dump_records_written_back_as_X_ADDFLOW_rebuild_the_same_flows()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        await ike.WriteAsync(Flow(SadbMessageType.XAddFlow, Pid, "10.1.0.0", "255.255.0.0", "10.2.0.0", "255.255.0.0").Build(), default);
        await ike.WriteAsync(Flow(SadbMessageType.XAddFlow, Pid, "10.2.0.0", "255.255.0.0", "10.1.0.0", "255.255.0.0", SadbFlowType.Use, SadbDirection.In, SadbSaType.Ah, 17).Build(), default);

        Assert.True(PfKeyMessage.TryParseDump(kernel.DumpSpd(), out var records, out var error), error.ToString());
        Assert.All(records, r => Assert.Equal(SadbMessageType.XSpdDump, r.Type));
        Assert.Equal([SadbSaType.Ah, SadbSaType.Esp], records.Select(r => r.Header.SaType));
        Assert.Equal(
            [
                SadbExtensionType.AddressDst, SadbExtensionType.XFlowType, SadbExtensionType.XProtocol, SadbExtensionType.XSrcFlow,
                SadbExtensionType.XSrcMask, SadbExtensionType.XDstFlow, SadbExtensionType.XDstMask,
            ],
            records[0].Extensions.Select(e => e.Type));

        var copy = new SimulatedKernel();
        await using var writer = copy.OpenClient(Pid);
        foreach (var record in records.Reverse())
        {
            var addFlow = PfKeyMessageBuilder.From(record);
            addFlow.Type = SadbMessageType.XAddFlow;
            addFlow.Pid = Pid;
            await writer.WriteAsync(addFlow.Build(), default);
        }

        Assert.Equal(kernel.Flows.ToArray(), copy.Flows.ToArray());
        Assert.Equal(kernel.DumpSpd(), copy.DumpSpd());
    }

    [Fact]
    public async Task SADB_DUMP_over_the_socket_goes_to_the_requester_and_wrapped_to_other_promiscuous_sockets()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        await using var listener = kernel.OpenClient(Pid + 1);
        await ike.WriteAsync(Add(Pid, 0x1001).Build(), default);
        await ike.WriteAsync(Add(Pid, 0x1002).Build(), default);
        await listener.SetPromiscuousAsync(true, default);
        Drain(ike);
        Drain(listener);

        await ike.WriteAsync(new PfKeyMessageBuilder(SadbMessageType.Dump, SadbSaType.Unspec, 40, Pid).Build(), default);

        var direct = Drain(ike).Select(Parse).ToList();
        Assert.Equal([40u, 0u], direct.Select(r => r.Header.Sequence));
        Assert.All(direct, r => Assert.Equal((SadbMessageType.Dump, Pid), (r.Type, r.Header.Pid)));
        var seen = Drain(listener).Select(m => SadbHeader.Read(m.Span)).ToList();
        // The request itself (wrapped with the writer's pid), then each record wrapped with seq 0.
        Assert.Equal([Pid, 0u, 0u], seen.Select(h => h.Sequence));
        Assert.All(seen, h => Assert.Equal(SadbMessageType.XPromisc, h.Type));
    }
}
