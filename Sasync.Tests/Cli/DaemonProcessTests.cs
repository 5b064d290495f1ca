using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Sasync.Cli;
using Sasync.Core.Hosting;
using Sasync.Core.Loopback;
using Sasync.Core.Simulation;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Tests.Platform.OpenBSD;
using Sasync.Tests.Support;

namespace Sasync.Tests.Cli;

/// <summary>The daemon as operators run it: real processes on the simulated platform, driven through the control socket.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DaemonProcessTests() : DaemonWorkspace("sasync-daemon-")
{
    private const string Key = "0x00112233445566778899aabbccddeeff";

    private static async Task<bool> AnswersAsync(string control) => (await CliAsync("status", "--control", control, "--json")).Exit == 0;

    [Fact]
    public async Task Two_daemons_replicate_an_injected_sa_and_stop_cleanly_on_sigterm()
    {
        var port = LoopbackPorts.FreePort(2);
        var one = WriteConfig("one.conf", $"listen on 127.0.0.1 port {port}\npeer 127.0.0.2\ninterface carp0\nsharedkey {Key}\n");
        var two = WriteConfig("two.conf", $"listen on 127.0.0.2 port {port}\npeer 127.0.0.1\ninterface carp0\nsharedkey {Key}\n");
        // The backup first, so that the master's dials do not depend on how fast a loaded machine starts the backup.
        await using var backup = DaemonProcess.Start("-d", "-v", "--platform", "sim", "--control", Path("two.sock"), "-c", two);
        await Eventually.TrueAsync(() => AnswersAsync(Path("two.sock")), "backup answers on its control socket");
        await using var master = DaemonProcess.Start("-d", "-v", "--platform", "sim", "--sim-carp", "master", "--control", Path("one.sock"), "-c", one);
        await Eventually.TrueAsync(() => AnswersAsync(Path("one.sock")), "master answers on its control socket");

        var add = IkeDaemonMessages.AddEspSa(SimulationControlHandler.DefaultInjectPid, 1, 0x4242, LoopbackPorts.Node(1), System.Net.IPAddress.Parse("198.51.100.7"));
        var (injected, _, injectError) = await CliAsync("sim", "inject", "--control", Path("one.sock"), Convert.ToHexString(add));
        Assert.True(injected == 0, injectError);
        await Eventually.TrueAsync(
            async () => (await JsonAsync("sim", "dump", "--control", Path("two.sock"), "--json")).GetProperty("sas").GetArrayLength() == 1,
            "the backup's kernel has the SA");
        var sa = (await JsonAsync("sim", "dump", "--control", Path("two.sock"), "--json")).GetProperty("sas")[0];
        Assert.Equal("0x00004242", sa.GetProperty("spi").GetString());
        Assert.Equal("MATURE", sa.GetProperty("state").GetString());

        var status = await JsonAsync("status", "--control", Path("one.sock"), "--json");
        Assert.Equal("MASTER", status.GetProperty("runState").GetString());
        var peer = status.GetProperty("peers")[0];
        Assert.Equal("127.0.0.2", peer.GetProperty("name").GetString());
        Assert.True(peer.GetProperty("connected").GetBoolean());
        Assert.Equal("SLAVE", peer.GetProperty("runState").GetString());
        Assert.False(peer.GetProperty("sendingSnapshot").GetBoolean());
        // Connected, no next attempt is pending (a dial racing the backup's listener may have failed).
        Assert.InRange(peer.GetProperty("sessionFailures").GetInt32(), 0, 3);
        Assert.Equal(JsonValueKind.Null, peer.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal(1, status.GetProperty("counters").GetProperty("messagesRelayed").GetInt64());
        Assert.DoesNotContain("PF_KEY", master.Log, StringComparison.Ordinal); // -v: state changes, not messages

        await master.SignalAsync("TERM");
        await backup.SignalAsync("TERM");
        Assert.Equal(0, await master.WaitForExitAsync());
        Assert.Equal(0, await backup.WaitForExitAsync());
        Assert.False(File.Exists(Path("one.sock")));
    }

    [Fact]
    public async Task A_second_daemon_or_any_listener_on_the_address_and_port_makes_start_fail_with_exit_1()
    {
        var port = LoopbackPorts.FreePort(2);
        var config = WriteConfig("one.conf", $"listen on 127.0.0.1 port {port}\npeer 127.0.0.2\ninterface carp0\nsharedkey {Key}\n");
        var expected = $"cannot listen on 127.0.0.1 port {port}: address already in use";
        await using (var first = DaemonProcess.Start("-d", "--platform", "sim", "--control", Path("one.sock"), "-c", config))
        {
            await Eventually.TrueAsync(() => AnswersAsync(Path("one.sock")), "the first daemon answers on its control socket");
            await using var second = DaemonProcess.Start("-d", "--platform", "sim", "--control", Path("two.sock"), "-c", config);
            Assert.Equal(1, await second.WaitForExitAsync());
            Assert.Contains(expected + "\n", second.Log.ReplaceLineEndings("\n"), StringComparison.Ordinal);
            Assert.False(first.HasExited);
        }

        using var plain = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        plain.Bind(new System.Net.IPEndPoint(LoopbackPorts.Node(1), port));
        plain.Listen();
        await using var third = DaemonProcess.Start("-d", "--platform", "sim", "--control", Path("three.sock"), "-c", config);
        Assert.Equal(1, await third.WaitForExitAsync());
        Assert.Contains(expected + "\n", third.Log.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sighup_applies_a_good_config_and_keeps_the_running_one_on_a_bad_config()
    {
        var port = LoopbackPorts.FreePort(1);
        var config = WriteConfig("one.conf", $"listen on 127.0.0.1 port {port}\npeer 127.0.0.2\ninterface carp0\nsharedkey {Key}\n");
        await using var daemon = DaemonProcess.Start("-d", "-v", "--platform", "sim", "--control", Path("one.sock"), "-c", config);
        await Eventually.TrueAsync(() => AnswersAsync(Path("one.sock")), "daemon answers");

        WriteConfig("one.conf", $"listen on 127.0.0.1 port {port}\npeer 127.0.0.2\npeer 127.0.0.3\ninterface carp0\nsharedkey {Key}\n");
        await daemon.SignalAsync("HUP");
        await Eventually.TrueAsync(() => daemon.Log.Contains("reloaded (2 peer(s))", StringComparison.Ordinal), "reload logged");

        WriteConfig("one.conf", "interface carp0\nsharedkey tooshort\n");
        await daemon.SignalAsync("HUP");
        await Eventually.TrueAsync(() => daemon.Log.Contains("not reloaded, keeping the running configuration", StringComparison.Ordinal), "refusal logged");
        Assert.True(await AnswersAsync(Path("one.sock")));
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public async Task The_openbsd_platform_on_another_system_and_a_bad_config_refuse_to_start()
    {
        var config = WriteConfig("ok.conf", $"interface carp0\nsharedkey {Key}\n");
        var (exit, _, error) = await CliAsync("-d", "-c", config);
        Assert.Equal(1, exit);
        Assert.Contains("--platform sim", error, StringComparison.Ordinal);

        var bad = WriteConfig("bad.conf", "interface carp0\n");
        (exit, _, error) = await CliAsync("-d", "--platform", "sim", "-c", bad);
        Assert.Equal(1, exit);
        Assert.Contains("sharedkey", error, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Carp_changes_drive_a_real_isakmpd_fifo_and_iked_socket()
    {
        var fifo = Path("isakmpd.fifo");
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", ["-m", "600", fifo]) { UseShellExecute = false })!)
        {
            await mkfifo.WaitForExitAsync();
        }

        var reader = LibcNative.Instance.Open(fifo, OpenFlags.Linux.ReadOnlyNonBlocking);
        Assert.False(reader.IsError);
        var fifoText = new System.Text.StringBuilder();
        var imsgs = new List<byte[]>();
        using var iked = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        iked.Bind(new UnixDomainSocketEndPoint(Path("iked.sock")));
        iked.Listen(8);
        using var stopAccepting = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stopAccepting.IsCancellationRequested)
            {
                using var client = await iked.AcceptAsync(stopAccepting.Token);
                var message = new byte[64];
                var length = 0;
                int read;
                while ((read = await client.ReceiveAsync(message.AsMemory(length), stopAccepting.Token)) > 0)
                {
                    length += read;
                }

                lock (imsgs)
                {
                    imsgs.Add(message[..length]);
                }
            }
        });

        string DrainFifo()
        {
            var buffer = new byte[256];
            var read = LibcNative.Instance.Read((int)reader.Value, buffer);
            if (!read.IsError && read.Value > 0)
            {
                fifoText.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, (int)read.Value));
            }

            return fifoText.ToString();
        }

        byte[] Imsg(uint type, int pid)
        {
            var bytes = new byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, type);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 16);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), pid);
            return bytes;
        }

        try
        {
            var port = LoopbackPorts.FreePort(1);
            var config = WriteConfig("one.conf", $"listen on 127.0.0.1 port {port}\npeer 127.0.0.2\ninterface carp0\ncontrol all\nsharedkey {Key}\n");
            await using var daemon = DaemonProcess.Start(
                "-d", "--platform", "sim", "--control", Path("one.sock"), "-c", config,
                "--isakmpd-fifo", fifo, "--iked-socket", Path("iked.sock"));
            await Eventually.TrueAsync(() => DrainFifo() == "M passive\n", "passive on the FIFO at start (BACKUP)");

            Assert.Equal(0, (await CliAsync("sim", "carp", "master", "--control", Path("one.sock"))).Exit);
            await Eventually.TrueAsync(() => DrainFifo() == "M passive\nM active\n", "active on the FIFO");
            Assert.Equal(0, (await CliAsync("sim", "carp", "backup", "--control", Path("one.sock"))).Exit);
            await Eventually.TrueAsync(() => DrainFifo() == "M passive\nM active\nM passive\n", "passive again on the FIFO");
            await Eventually.TrueAsync(() => { lock (imsgs) { return imsgs.Count == 3; } }, "three imsgs on the iked socket");
            lock (imsgs)
            {
                Assert.Equal([Imsg(10, daemon.Pid), Imsg(9, daemon.Pid), Imsg(10, daemon.Pid)], imsgs);
            }
        }
        finally
        {
            await stopAccepting.CancelAsync();
            await Task.WhenAny(accepting);
            LibcNative.Instance.Close((int)reader.Value);
        }
    }
}
