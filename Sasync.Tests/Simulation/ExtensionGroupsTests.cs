using Sasync.Core.PfKey;
using Sasync.Core.Simulation;
using static Sasync.Tests.Simulation.KernelTestMessages;

namespace Sasync.Tests.Simulation;

/// <summary>The extension groups the simulated kernel's SAs and flows share: each distinct content kept once.</summary>
public sealed class ExtensionGroupsTests
{
    private const uint Pid = 93;

    private static readonly ReadOnlyMemory<byte>? A = new byte[] { 1, 0, 5, 0, 9, 9, 9, 9 };
    private static readonly ReadOnlyMemory<byte>? B = new byte[] { 2, 0, 6, 0, 7, 7, 7, 7, 1, 2, 3, 4, 5, 6, 7, 8 };

    [Fact]
    public void The_same_extensions_share_one_group_that_the_last_user_frees()
    {
        var groups = new ExtensionGroups(new ExtensionArena());
        var one = groups.Share([A, B]);
        var two = groups.Share([new ReadOnlyMemory<byte>(A!.Value.ToArray()), new ReadOnlyMemory<byte>(B!.Value.ToArray())]);

        Assert.Same(one, two);
        Assert.Equal((1, 2), (groups.Count, one!.Users));
        Assert.Equal(A.Value.ToArray(), KernelLayout.Kept(one.Buffer, one.Offset(0))!.Value.ToArray());
        Assert.Equal(B.Value.ToArray(), KernelLayout.Kept(one.Buffer, one.Offset(1))!.Value.ToArray());
        var start = one.Blob.Offset;

        groups.Release(one);
        Assert.Equal(1, groups.Count);
        groups.Release(two);
        Assert.Equal(0, groups.Count);

        // Its blob (an 8-byte header, then A and B) went back to the arena: the next blob of that size takes its place.
        Assert.Equal(start, groups.Arena.Allocate(8 + 8 + 16).Offset);
    }

    [Fact]
    public void Which_slots_hold_the_bytes_is_part_of_the_content()
    {
        var groups = new ExtensionGroups(new ExtensionArena());
        var first = groups.Share([A, null]);
        Assert.Equal(KernelLayout.Absent, first!.Offset(1));
        var second = groups.Share([null, A]);
        Assert.Equal(KernelLayout.Absent, second!.Offset(0));

        Assert.NotSame(first, second);
        Assert.Equal(2, groups.Count);
        Assert.Null(groups.Share([null, null]));
        Assert.Equal(2, groups.Count);
    }

    [Fact]
    public void A_kernel_keeps_the_settings_of_many_like_SAs_and_flows_once_and_frees_them_with_the_last()
    {
        var kernel = new SimulatedKernel(new SimulatedKernelOptions { RandomSeed = 1, ClientQueueCapacity = 8192 });
        var ike = kernel.OpenClient(Pid);
        var buffer = new byte[64 * 1024];
        const int Count = 500;
        for (var i = 0; i < Count; i++)
        {
            // Same addresses and settings, SPI and keys their own; flows of their own networks to the same peer.
            Assert.True(ike.WriteAsync(Add(Pid, 0x10000 + (uint)i).Build(), default).IsCompletedSuccessfully);
            Assert.True(ike.WriteAsync(Flow(SadbMessageType.XAddFlow, Pid, $"10.{i / 256}.{i % 256}.0", "255.255.255.0", "172.16.0.0", "255.255.0.0").Build(), default).IsCompletedSuccessfully);
            while (ike.TryRead(buffer, out _))
            {
            }
        }

        Assert.Equal((Count, Count), (kernel.SaCount, kernel.FlowCount));
        Assert.Equal(2, kernel.ExtensionGroupCount); // one for all SAs, one for all flows

        // Every SA still dumps with its own SPI.
        Assert.Equal(Enumerable.Range(0, Count).Select(i => 0x10000u + (uint)i), kernel.Sas.Select(sa => sa.Spi));

        for (var i = 0; i < Count; i++)
        {
            Assert.True(ike.WriteAsync(Delete(Pid, 0x10000 + (uint)i).Build(), default).IsCompletedSuccessfully);
        }

        Assert.Equal(1, kernel.ExtensionGroupCount);
        Assert.True(ike.WriteAsync(Flush(Pid, SadbSaType.Unspec).Build(), default).IsCompletedSuccessfully);
        Assert.Equal((0, 0, 0), (kernel.SaCount, kernel.FlowCount, kernel.ExtensionGroupCount));
    }
}
