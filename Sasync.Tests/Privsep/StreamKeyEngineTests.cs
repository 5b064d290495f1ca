using System.Net;
using System.Net.Sockets;
using Sasync.Core.Platform;
using Sasync.Core.Privsep;
using Sasync.Core.Simulation;
using Sasync.Platform.OpenBSD.Privsep;

namespace Sasync.Tests.Privsep;

/// <summary>The simulated PF_KEY socket a privileged daemon hands its network process on the simulated platform.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StreamKeyEngineTests
{
    [Fact]
    public async Task Writes_reach_the_kernel_refusals_come_back_with_their_errno_and_broadcasts_are_delivered()
    {
        var host = new SimulatedNode();
        await using var kernelClient = host.OpenKeyEngine(77);
        var (parent, child) = SocketPair.Create();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var hostStream = new NetworkStream(parent, ownsSocket: true);
        var serve = new KeyStreamHost(hostStream, kernelClient, SimulatedKernel.MaxMessageSize).RunAsync(stop.Token);
        await using var keys = new StreamKeyEngine(new NetworkStream(child, ownsSocket: true), 77);
        var messages = keys.ReadAllAsync(stop.Token).GetAsyncEnumerator(stop.Token);

        await keys.WriteAsync(IkeDaemonMessages.AddEspSa(77, 1, 0x1234, IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.2")), stop.Token);
        Assert.Single(host.Kernel.Sas);
        Assert.True(await messages.MoveNextAsync());
        Assert.Equal(3, messages.Current.Span[1]); // the kernel's answer to our ADD (SADB_ADD)

        // Version 0: refused as the write's own error, as OpenBSD does with EINVAL.
        var refused = await Assert.ThrowsAsync<KeyEngineException>(() => keys.WriteAsync(new byte[16], stop.Token).AsTask());
        Assert.Equal(OpenBsdErrno.EINVAL, refused.Errno);
        Assert.Single(host.Kernel.Sas);

        await keys.SetPromiscuousAsync(true, stop.Token);
        await messages.DisposeAsync();
        await stop.CancelAsync();
        await serve;
    }

    [Fact]
    public async Task Of_many_writes_in_flight_only_the_refused_ones_fail_and_the_kernel_takes_the_rest()
    {
        var host = new SimulatedNode();
        await using var kernelClient = host.OpenKeyEngine(79);
        var (parent, child) = SocketPair.Create();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var hostStream = new NetworkStream(parent, ownsSocket: true);
        var serve = new KeyStreamHost(hostStream, kernelClient, SimulatedKernel.MaxMessageSize).RunAsync(stop.Token);
        await using var keys = new StreamKeyEngine(new NetworkStream(child, ownsSocket: true), 79);

        // Started back to back, answered a burst at a time: every 50th is refused by the write itself (version 0),
        // every 70th adds an SA that exists (the kernel answers that in its reply, the write succeeds); each outcome
        // must reach its own write, none the others.
        var writes = new List<(int Index, Task Done)>();
        for (var i = 0; i < 1000; i++)
        {
            var message = i % 50 == 49
                ? new byte[16]
                : IkeDaemonMessages.AddEspSa(79, (uint)i, 0x1000u + (uint)(i % 70 == 69 ? 0 : i), IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.2"));
            writes.Add((i, keys.WriteAsync(message, stop.Token).AsTask()));
        }

        foreach (var (index, done) in writes)
        {
            if (index % 50 == 49)
            {
                Assert.Equal(OpenBsdErrno.EINVAL, (await Assert.ThrowsAsync<KeyEngineException>(() => done)).Errno);
            }
            else
            {
                await done;
            }
        }

        var added = Enumerable.Range(0, 1000).Count(i => i % 50 != 49 && i % 70 != 69);
        Assert.Equal(added, host.Kernel.Sas.Count);
        await stop.CancelAsync();
        await serve;
    }

    [Fact]
    public async Task A_message_larger_than_the_kernel_takes_ends_the_stream()
    {
        var host = new SimulatedNode();
        await using var kernelClient = host.OpenKeyEngine(78);
        var (parent, child) = SocketPair.Create();
        await using var hostStream = new NetworkStream(parent, ownsSocket: true);
        var serve = new KeyStreamHost(hostStream, kernelClient, SimulatedKernel.MaxMessageSize).RunAsync(CancellationToken.None);
        await using var keys = new StreamKeyEngine(new NetworkStream(child, ownsSocket: true), 78);
        var reason = keys.WriteAsync(new byte[SimulatedKernel.MaxMessageSize + 1], CancellationToken.None).AsTask();
        Assert.Contains("outside 5..", await serve.WaitAsync(TimeSpan.FromSeconds(30)), StringComparison.Ordinal);
        Assert.Empty(host.Kernel.Sas);
        await hostStream.DisposeAsync();
        await Assert.ThrowsAsync<KeyEngineException>(() => reason.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
