using System.Text.Json;
using System.Text.RegularExpressions;
using Sasync.Cli;
using Sasync.Core.Hosting;
using Sasync.Core.Loopback;
using Sasync.Tests.Support;

namespace Sasync.Tests.Cli;

/// <summary>
/// Real daemons on the simulated platform: what <c>-d -vv</c> logs, the <c>sim add-sa</c>/<c>add-flow</c> verbs that
/// play the IKE daemon, and the file rule the simulated daemon shares with <c>-n</c>.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class DaemonLoggingTests : IDisposable
{
    private const string Key = "0x00112233445566778899aabbccddeeff";
    private readonly string _directory = Directory.CreateTempSubdirectory("sasync-logging-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Path(string name) => System.IO.Path.Combine(_directory, name);

    private string WriteConfig(string name, string text, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path(name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private static async Task<JsonElement> DumpAsync(string control)
    {
        var run = await CliRun.RunAsync("sim", "dump", "--control", control, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }

    [Fact]
    public async Task Dash_vv_logs_each_relayed_received_and_written_message_in_plain_lines()
    {
        var port = LoopbackPorts.FreePort(2);
        var one = WriteConfig("one.conf", $"listen on 127.0.0.1 port {port}\npeer 127.0.0.2\ninterface carp0\nsharedkey {Key}\n");
        var two = WriteConfig("two.conf", $"listen on 127.0.0.2 port {port}\npeer 127.0.0.1\ninterface carp0\nsharedkey {Key}\n");
        await using var master = DaemonProcess.Start("-dvv", "--platform", "sim", "--sim-carp", "master", "--control", Path("one.sock"), "-c", one);
        await using var backup = DaemonProcess.Start("-d", "-vv", "--platform", "sim", "--control", Path("two.sock"), "-c", two);
        await Eventually.TrueAsync(async () =>
        {
            var status = await CliRun.RunAsync("status", "--control", Path("one.sock"), "--json");
            return status.ExitCode == 0
                && JsonDocument.Parse(status.Stdout).RootElement.GetProperty("peers").EnumerateArray().Any(p => p.GetProperty("connected").GetBoolean());
        }, "the master is connected to the backup");

        var sa = await CliRun.RunAsync(
            "sim", "add-sa", "--control", Path("one.sock"), "--spi", "0x4242", "--src", "127.0.0.1", "--dst", "198.51.100.7",
            "--enc-key", new string('a', 64), "--auth-key", "0x" + new string('b', 64));
        Assert.True(sa.ExitCode == 0, sa.Stderr);
        Assert.Equal("injected ADD ESP spi 0x00004242 127.0.0.1 -> 198.51.100.7\n", sa.Stdout.ReplaceLineEndings("\n"));
        var flow = await CliRun.RunAsync("sim", "add-flow", "--control", Path("one.sock"), "--src", "10.0.1.0/24", "--dst", "10.9.0.0/16", "--peer", "198.51.100.7");
        Assert.True(flow.ExitCode == 0, flow.Stderr);
        Assert.Equal("injected X_ADDFLOW ESP flow 10.0.1.0/24 -> 10.9.0.0/16 peer 198.51.100.7\n", flow.Stdout.ReplaceLineEndings("\n"));

        await Eventually.TrueAsync(async () =>
        {
            var dump = await DumpAsync(Path("two.sock"));
            return dump.GetProperty("sas").GetArrayLength() == 1 && dump.GetProperty("flows").GetArrayLength() == 1;
        }, "the backup's kernel has the SA and the flow");
        var backupDump = await DumpAsync(Path("two.sock"));
        var replicated = backupDump.GetProperty("sas")[0];
        Assert.Equal("0x00004242", replicated.GetProperty("spi").GetString());
        Assert.Equal("127.0.0.1", replicated.GetProperty("src").GetString());
        Assert.Equal("198.51.100.7", replicated.GetProperty("dst").GetString());
        var replicatedFlow = backupDump.GetProperty("flows")[0];
        Assert.Equal("10.0.1.0/255.255.255.0", replicatedFlow.GetProperty("src").GetString());
        Assert.Equal("10.9.0.0/255.255.0.0", replicatedFlow.GetProperty("dst").GetString());
        Assert.Equal("198.51.100.7", replicatedFlow.GetProperty("peer").GetString());

        await Eventually.TrueAsync(
            () => backup.Log.Contains("PF_KEY written to the kernel, from 127.0.0.1: X_ADDFLOW", StringComparison.Ordinal),
            "the backup logged the flow it wrote");
        Assert.Contains("sasyncd-cs: PF_KEY relayed to 127.0.0.2: ADD ESP spi 0x00004242 127.0.0.1 -> 198.51.100.7\n", master.Log.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("sasyncd-cs: PF_KEY received from 127.0.0.1: ADD ESP spi 0x00004242 127.0.0.1 -> 198.51.100.7\n", backup.Log.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("sasyncd-cs: PF_KEY written to the kernel, from 127.0.0.1: ADD ESP spi 0x00004242 127.0.0.1 -> 198.51.100.7\n", backup.Log.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        // Every log line; the configuration's diagnostics come before logging starts, as FILE: message.
        var lines = (master.Log + backup.Log).ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith(one, StringComparison.Ordinal) && !line.StartsWith(two, StringComparison.Ordinal))
            .ToList();
        Assert.Contains("sasyncd-cs: running on the simulated platform, listening on 127.0.0.1:" + port + ", 1 peer(s)", lines);
        foreach (var line in lines)
        {
            Assert.StartsWith("sasyncd-cs: ", line, StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', line);
            Assert.DoesNotMatch(EventIdInBrackets(), line);
        }

        // The defaults (random SPI and keys) make an SA the kernel takes; the same SPI again it refuses, and the verb says so.
        var defaults = await CliRun.RunAsync("sim", "add-sa", "--control", Path("one.sock"));
        Assert.True(defaults.ExitCode == 0, defaults.Stderr);
        Assert.Matches(@"^injected ADD ESP spi 0x[0-9a-f]{8} 192\.0\.2\.1 -> 198\.51\.100\.1\n$", defaults.Stdout.ReplaceLineEndings("\n"));
        var again = await CliRun.RunAsync("sim", "add-sa", "--control", Path("one.sock"), "--spi", "0x4242", "--src", "127.0.0.1", "--dst", "198.51.100.7");
        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith("sasyncd-cs: sim.inject: the kernel refused the message", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("errno 17", again.Stderr, StringComparison.Ordinal);

        // Written as the daemon's own pid, a message would never be relayed: refused.
        var own = await CliRun.RunAsync("sim", "add-sa", "--control", Path("one.sock"), "--pid", master.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, own.ExitCode);
        Assert.Contains($"other than the daemon's ({master.Pid})", own.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_simulated_daemon_refuses_a_file_others_can_read_as_dash_n_does()
    {
        var port = LoopbackPorts.FreePort(1);
        var config = WriteConfig("open.conf", $"listen on 127.0.0.1 port {port}\ninterface carp0\nsharedkey {Key}\n",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await using var daemon = DaemonProcess.Start("-d", "--platform", "sim", "--control", Path("open.sock"), "-c", config);
        Assert.Equal(1, await daemon.WaitForExitAsync());
        Assert.Contains($"{config}: the configuration file has mode 0644", daemon.Log, StringComparison.Ordinal);
        Assert.False(File.Exists(Path("open.sock")));

        var check = await CliRun.RunAsync("-n", "-c", config);
        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"{config}: the configuration file has mode 0644", check.Stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex EventIdInBrackets();
}
