using System.Net;
using Sasync.Core.Config;
using Sasync.Core.PfKey;
using Sasync.Core.Simulation;
using static Sasync.Tests.Simulation.KernelTestMessages;

using Sasync.Tests.PfKey;

namespace Sasync.Tests.Simulation;

/// <summary>
/// The snapshot rules against the kernel's own checks: every message a snapshot holds must pass both
/// the input check (EINVAL) and the reply check (EPERM) of a peer's kernel.
/// </summary>
public class SnapshotIntoKernelTests
{
    private const uint Pid = 1234;
    private const uint DaemonPid = 4321;

    [Fact]
    public async Task A_snapshot_of_a_busy_kernel_rebuilds_it_on_a_peer_without_a_single_refusal()
    {
        var master = await BusyKernel.CreateAsync(Pid);

        var snapshot = WholeSnapshot.Build(
            master.DumpSadb(), master.DumpSpd(), new SyncFilterContext(DaemonPid, FlushMode.Startup, SkipSlave: false, PeerAddresses: Array.Empty<IPAddress>()));
        Assert.Empty(snapshot.Errors);

        var peer = new SimulatedKernel(new SimulatedKernelOptions { ThrowOnReplyErrno = true });
        await using var daemon = peer.OpenClient(DaemonPid);
        uint sequence = 0;
        foreach (var message in snapshot.Messages)
        {
            Assert.True(PfKeyRewrite.TryPrepareForKernel(message, DaemonPid, ++sequence, out var prepared, out var error), error.ToString());
            await daemon.WriteAsync(prepared, default); // throws on EINVAL, EPERM or a reply errno
        }

        Assert.Equal(
            master.Sas.Select(s => (s.SaType, s.Spi, s.Destination)).Order(),
            peer.Sas.Select(s => (s.SaType, s.Spi, s.Destination)).Order());
        Assert.Equal(master.Flows.Count, peer.Flows.Count);
    }
}
