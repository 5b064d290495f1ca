using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Sasync.Cli;
using Sasync.Core.Hosting;
using Sasync.Core.Loopback;
using Sasync.Core.Simulation;
using Sasync.Tests.Support;

namespace Sasync.Tests.Privsep;

/// <summary>
/// <c>--platform sim --privsep</c> daemons as real processes: whoever holds a peer socket is
/// unprivileged, and the cluster still syncs, fails over and undemotes.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivsepDaemonTests() : DaemonWorkspace("sasync-privsep-")
{
    private const string Key = "0x00112233445566778899aabbccddeeff";

    private Task<JsonElement> StatusAsync(string control) => JsonAsync("status", "--control", Path(control), "--json");

    private Task<JsonElement> DumpAsync(string control) => JsonAsync("sim", "dump", "--control", Path(control), "--json");

    private async Task<bool> AnswersAsync(string control) => (await CliAsync("status", "--control", Path(control), "--json")).Exit == 0;

    private static (int Pid, string User) Process(JsonElement status, string role)
    {
        var process = status.GetProperty("processes").EnumerateArray().Single(p => p.GetProperty("role").GetString() == role);
        return (process.GetProperty("pid").GetInt32(), process.GetProperty("user").GetString()!);
    }

    [RootLinuxFact]
    public async Task Every_process_with_a_peer_socket_is_unprivileged_while_the_cluster_syncs_fails_over_and_undemotes()
    {
        var port = LoopbackPorts.FreePort(2);
        var one = WriteConfig("one.conf", $"listen on 127.0.0.1 port {port}\npeer 127.0.0.2\ninterface carp0\nsharedkey {Key}\n");
        var two = WriteConfig("two.conf", $"listen on 127.0.0.2 port {port}\npeer 127.0.0.1\ninterface carp0\nsharedkey {Key}\n");
        await using var master = DaemonProcess.Start("-d", "-v", "--platform", "sim", "--privsep", "--sim-carp", "master", "--control", Path("one.sock"), "-c", one);
        // The backup boots demoted, as a rebooted gateway is, and must undemote once it has the MASTER's snapshot.
        await using var backup = DaemonProcess.Start("-d", "-v", "--platform", "sim", "--privsep", "--sim-demote", "1", "--control", Path("two.sock"), "-c", two);
        await Eventually.TrueAsync(() => AnswersAsync("one.sock"), "master answers on its control socket");
        await Eventually.TrueAsync(() => AnswersAsync("two.sock"), "backup answers on its control socket");
        await Eventually.TrueAsync(
            async () => (await StatusAsync("one.sock")).GetProperty("peers")[0].GetProperty("connected").GetBoolean(),
            "the master's session to the backup is up");

        // Both processes of each daemon, as status shows them.
        var privileged = new List<int>();
        var network = new List<int>();
        foreach (var (control, daemon) in new[] { ("one.sock", master), ("two.sock", backup) })
        {
            var status = await StatusAsync(control);
            var (privilegedPid, privilegedUser) = Process(status, "privileged");
            var (networkPid, networkUser) = Process(status, "network");
            Assert.Equal(daemon.Pid, privilegedPid);
            Assert.Equal("root", privilegedUser);
            Assert.Equal("nobody", networkUser);
            Assert.Equal("sasyncd: [priv]", ProcFacts.CommandName(privilegedPid));
            Assert.Equal("sasyncd: net", ProcFacts.CommandName(networkPid));
            privileged.Add(privilegedPid);
            network.Add(networkPid);
        }

        // Every holder of a socket on the peer port (listeners and sessions) is a network process, and unprivileged.
        var holders = ProcFacts.PidsHoldingTcpPort(port);
        Assert.Equal(network.Order(), holders.Order());
        foreach (var pid in holders)
        {
            Assert.All(ProcFacts.Status(pid, "Uid:").Split('\t', ' '), uid => Assert.NotEqual("0", uid));
            Assert.All(ProcFacts.Status(pid, "Gid:").Split('\t', ' '), gid => Assert.NotEqual("0", gid));
            Assert.Equal("", ProcFacts.Status(pid, "Groups:"));
            Assert.Equal(0UL, ProcFacts.EffectiveCapabilities(pid));
        }

        // It syncs: an SA the master's isakmpd adds reaches the backup's kernel.
        var add = IkeDaemonMessages.AddEspSa(SimulationControlHandler.DefaultInjectPid, 1, 0x4242, LoopbackPorts.Node(1), IPAddress.Parse("198.51.100.7"));
        var (injected, _, injectError) = await CliAsync("sim", "inject", "--control", Path("one.sock"), Convert.ToHexString(add));
        Assert.True(injected == 0, injectError);
        await Eventually.TrueAsync(async () => (await DumpAsync("two.sock")).GetProperty("sas").GetArrayLength() == 1, "the backup's kernel has the SA");
        Assert.Equal("0x00004242", (await DumpAsync("two.sock")).GetProperty("sas")[0].GetProperty("spi").GetString());

        // It undemoted: the boot's demotion is left, its own hold is given back.
        await Eventually.TrueAsync(async () => !(await StatusAsync("two.sock")).GetProperty("demoted").GetBoolean(), "the backup undemotes");
        Assert.Contains("snapshot from MASTER", (await StatusAsync("two.sock")).GetProperty("undemoteReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, (await DumpAsync("two.sock")).GetProperty("demoteCounter").GetInt32());

        // It fails over: the backup's carp goes MASTER and its isakmpd is made active by the privileged process.
        Assert.Equal(0, (await CliAsync("sim", "carp", "backup", "--control", Path("one.sock"))).Exit);
        Assert.Equal(0, (await CliAsync("sim", "carp", "master", "--control", Path("two.sock"))).Exit);
        await Eventually.TrueAsync(async () => (await StatusAsync("two.sock")).GetProperty("runState").GetString() == "MASTER", "the backup is MASTER");
        await Eventually.TrueAsync(
            async () => (await DumpAsync("two.sock")).GetProperty("daemonControl").EnumerateArray().LastOrDefault().GetString() == "active",
            "the backup's isakmpd is active");

        // SIGTERM to the privileged process stops both cleanly.
        await master.SignalAsync("TERM");
        Assert.Equal(0, await master.WaitForExitAsync());
        Assert.False(File.Exists(Path("one.sock")));
        Assert.False(Directory.Exists($"/proc/{network[0]}"), "the master's network process is gone");
    }

    [RootLinuxFact]
    public async Task Killing_the_network_process_makes_the_privileged_one_undemote_and_exit_non_zero()
    {
        var port = LoopbackPorts.FreePort(2);
        // A peer that accepts and never speaks: the daemon holds its demotion waiting for it.
        using var silentPeer = new TcpListener(LoopbackPorts.Node(2), port);
        silentPeer.Start();
        var accepted = new List<Socket>();
        using var stopAccepting = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await silentPeer.AcceptSocketAsync(stopAccepting.Token));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        try
        {
            var config = WriteConfig("one.conf", $"listen on 127.0.0.1 port {port}\npeer 127.0.0.2\ninterface carp0\nsharedkey {Key}\n");
            await using var daemon = DaemonProcess.Start("-d", "-v", "--platform", "sim", "--privsep", "--sim-demote", "1", "--control", Path("one.sock"), "-c", config);
            await Eventually.TrueAsync(() => AnswersAsync("one.sock"), "the daemon answers");
            await Eventually.TrueAsync(async () => (await DumpAsync("one.sock")).GetProperty("demoteCounter").GetInt32() == 2, "the daemon holds its demotion on top of the boot's");
            Assert.True((await StatusAsync("one.sock")).GetProperty("demoted").GetBoolean());
            var (networkPid, _) = Process(await StatusAsync("one.sock"), "network");

            System.Diagnostics.Process.GetProcessById(networkPid).Kill();
            var exit = await daemon.WaitForExitAsync();
            Assert.NotEqual(0, exit);
            Assert.Contains("gave back 1 demotion(s) of carp group carp held by the network process (demote counter now 1)", daemon.Log, StringComparison.Ordinal);
            Assert.Contains($"network process {networkPid} is gone (killed by signal 9)", daemon.Log, StringComparison.Ordinal);
            Assert.False(File.Exists(Path("one.sock")));
        }
        finally
        {
            await stopAccepting.CancelAsync();
            await accepting;
            foreach (var socket in accepted)
            {
                socket.Dispose();
            }
        }
    }
}
