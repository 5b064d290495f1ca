using Sasync.Core.Hosting;
using Sasync.Core.Loopback;
using Sasync.Tests.Config;
using Sasync.Tests.Platform.OpenBSD;
using Sasync.Tests.Support;

namespace Sasync.Tests.Cli;

/// <summary>A running daemon whose configuration file is replaced by something that is not a file.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DaemonReloadAbuseTests : IDisposable
{
    private const string Key = "0x00112233445566778899aabbccddeeff";
    private readonly string _directory = Directory.CreateTempSubdirectory("sasync-reload-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Path(string name) => System.IO.Path.Combine(_directory, name);

    private static async Task<bool> AnswersAsync(string control) => (await CliRun.RunAsync("status", "--control", control, "--json")).ExitCode == 0;

    [LinuxFact(Timeout = 120_000)]
    public async Task A_reload_to_a_fifo_keeps_the_running_configuration_and_sigterm_still_stops_the_daemon()
    {
        var port = LoopbackPorts.FreePort(1);
        var config = Path("one.conf");
        await File.WriteAllTextAsync(config, $"listen on 127.0.0.1 port {port}\npeer 127.0.0.2\ninterface carp0\nsharedkey {Key}\n");
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var daemon = DaemonProcess.Start("-d", "-v", "--platform", "sim", "--control", Path("one.sock"), "-c", config);
        await Eventually.TrueAsync(() => AnswersAsync(Path("one.sock")), "daemon answers");

        File.Delete(config);
        await SpecialFiles.MakeFifoAsync(config);
        await daemon.SignalAsync("HUP");
        await Eventually.TrueAsync(
            () => daemon.Log.Contains($"not reloaded, keeping the running configuration: {config}: not a regular file", StringComparison.Ordinal),
            "the refused reload is logged");
        var status = await CliRun.RunAsync("status", "--control", Path("one.sock"), "--json");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("\"name\":\"127.0.0.2\"", status.Stdout, StringComparison.Ordinal);

        // A second reload while nothing was fixed, then the stop: neither waits on the FIFO.
        await daemon.SignalAsync("HUP");
        await daemon.SignalAsync("TERM");
        Assert.Equal(0, await daemon.WaitForExitAsync());
        Assert.Contains("stopping", daemon.Log, StringComparison.Ordinal);
        Assert.False(File.Exists(Path("one.sock")));
    }
}
