using System.Net;
using Sasync.Core.PfKey;
using Sasync.Core.Simulation;
using static Sasync.Tests.Simulation.KernelTestMessages;

namespace Sasync.Tests.Simulation;

/// <summary>
/// What the simulated kernel costs in memory: nothing allocated per write once its tables stop growing, and a
/// small, bounded footprint per stored SA and flow (it holds 100 000s of each in bench sync, twice per process).
/// </summary>
[Collection(MeasuredAlone.Name)]
public sealed class SimulatedKernelMemoryTests
{
    private const uint Pid = 91;

    // Measured: 0. A few bytes leave room for the amortized growth of a queue; the kernel that made an array per
    // copy, reply and entry allocated 418 per write (its queues read as arrays).
    private const double MaxBytesPerWrite = 4;

    // Measured: 462 bytes per ADD (keys, no lifetimes) + X_ADDFLOW here; 584 while every entry kept its addresses
    // and settings in a blob of its own (now shared, see ExtensionGroups), 753 when the kernel kept each message whole.
    private const double MaxBytesPerSaAndFlow = 500;

    [Fact]
    public void ADD_UPDATE_DELETE_and_flow_writes_allocate_nothing_once_the_tables_stop_growing()
    {
        var kernel = new SimulatedKernel(new SimulatedKernelOptions { RandomSeed = 1 });
        var ike = kernel.OpenClient(Pid);
        var daemon = kernel.OpenClient(Pid + 1);
        Write(daemon, new PfKeyMessageBuilder(SadbMessageType.XPromisc, SadbSaType.Ah, 1, Pid + 1).Build());
        var buffer = new byte[64 * 1024];
        void Drain()
        {
            while (ike.TryRead(buffer, out _) || daemon.TryRead(buffer, out _))
            {
            }
        }

        // A table to work in, and one round of the writes: ADD, UPDATE of the mature SA, DELETE, X_ADDFLOW, X_DELFLOW.
        for (var i = 0; i < 1000; i++)
        {
            Write(ike, Add(Pid, 0x10000 + (uint)i).Build());
            Write(ike, Flow(SadbMessageType.XAddFlow, Pid, $"10.{i / 256}.{i % 256}.0", "255.255.255.0", "172.16.0.0", "255.255.0.0").Build());
            Drain();
        }

        byte[][] round =
        [
            Add(Pid, 0x9000).Build(),
            new PfKeyMessageBuilder(SadbMessageType.Update, SadbSaType.Esp, 2, Pid)
                .Add(MatureSa(0x9000))
                .Add(new AddressExtension(SadbExtensionType.AddressSrc, Local))
                .Add(new AddressExtension(SadbExtensionType.AddressDst, Peer))
                .Add(new LifetimeExtension(SadbExtensionType.LifetimeSoft, 0, 0, 600, 0))
                .Build(),
            Delete(Pid, 0x9000).Build(),
            Flow(SadbMessageType.XAddFlow, Pid, "10.200.0.0", "255.255.255.0", "172.17.0.0", "255.255.0.0").Build(),
            Flow(SadbMessageType.XDelFlow, Pid, "10.200.0.0", "255.255.255.0", "172.17.0.0", "255.255.0.0").Build(),
        ];
        const int WarmUp = 100, Measured = 2000;
        var before = 0L;
        for (var r = 0; r < WarmUp + Measured; r++)
        {
            before = r == WarmUp ? GC.GetAllocatedBytesForCurrentThread() : before;
            foreach (var message in round)
            {
                Write(ike, message);
                Drain();
            }
        }

        var perWrite = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)(Measured * round.Length);
        Assert.Equal((1000, 1000), (kernel.SaCount, kernel.FlowCount));
        Assert.Equal(0, ike.DroppedMessages + daemon.DroppedMessages);
        Assert.True(perWrite <= MaxBytesPerWrite, $"{perWrite:0.0} bytes allocated per write");
    }

    [Fact]
    public void A_stored_SA_and_its_flow_take_a_few_hundred_bytes()
    {
        const int Count = 20_000;
        var messages = new byte[2 * Count][];
        for (var i = 0; i < Count; i++)
        {
            messages[2 * i] = Add(Pid, 0x10000 + (uint)i, sequence: (uint)i).Build();
            messages[(2 * i) + 1] = IkeDaemonMessages.AddFlow(Pid, (uint)i, Network(10, i), Network(172, i), Peer);
        }

        var kernel = new SimulatedKernel(new SimulatedKernelOptions { ClientQueueCapacity = 4 * Count });
        var ike = kernel.OpenClient(Pid);
        var buffer = new byte[64 * 1024];
        var before = GC.GetTotalMemory(forceFullCollection: true);
        foreach (var message in messages)
        {
            Write(ike, message);
            while (ike.TryRead(buffer, out _))
            {
            }
        }

        var perEntry = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)Count;
        GC.KeepAlive(messages);
        Assert.Equal((Count, Count), (kernel.SaCount, kernel.FlowCount));
        Assert.True(perEntry <= MaxBytesPerSaAndFlow, $"{perEntry:0} bytes per SA + flow");
    }

    // The writes complete synchronously; awaiting them would only add the test's own state machine.
    private static void Write(SimulatedKeyClient client, byte[] message)
    {
        var write = client.WriteAsync(message, default);
        Assert.True(write.IsCompletedSuccessfully);
    }

    // The i-th /24 under first.0.0.0/8.
    private static IPAddress Network(byte first, int i) => new([first, (byte)(i >> 8), (byte)i, 0]);
}

/// <summary>Tests that read process-wide memory figures, run when no other test runs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredAlone
{
    public const string Name = "Measured alone";
}
