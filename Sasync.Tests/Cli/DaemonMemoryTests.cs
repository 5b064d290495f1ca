using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Sasync.Core.Hosting;
using Sasync.Core.Loopback;
using Sasync.Core.Simulation;
using Sasync.Tests.Support;

namespace Sasync.Tests.Cli;

/// <summary>A real daemon's memory after a flood of SAs that all go away again.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DaemonMemoryTests : IDisposable
{
    private const string Key = "0x00112233445566778899aabbccddeeff";
    private const int Sas = 100_000;
    private const long Margin = 64L << 20;
    private readonly string _directory = Directory.CreateTempSubdirectory("sasync-memory-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Path(string name) => System.IO.Path.Combine(_directory, name);

    private async Task<JsonElement> ProcessStatusAsync()
    {
        var run = await CliRun.RunAsync("status", "--control", Path("one.sock"), "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement.GetProperty("process").Clone();
    }

    /// <summary>Every message as a sim.inject request on one connection, pipelined; true when every reply was ok.</summary>
    private async Task<bool> InjectAllAsync(Func<int, byte[]> message)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path("one.sock")));
        await using var stream = new NetworkStream(socket);
        using var replies = new StreamReader(stream, Encoding.UTF8);
        var reading = Task.Run(async () =>
        {
            var ok = true;
            for (var i = 0; i < Sas; i++)
            {
                ok &= (await replies.ReadLineAsync())?.StartsWith("{\"ok\":true", StringComparison.Ordinal) == true;
            }

            return ok;
        });
        var batch = new StringBuilder();
        for (var i = 0; i < Sas; i++)
        {
            batch.Append("{\"command\":\"sim.inject\",\"hex\":\"").Append(Convert.ToHexString(message(i))).Append("\"}\n");
            if (batch.Length > 64 * 1024 || i == Sas - 1)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(batch.ToString()));
                batch.Clear();
            }
        }

        return await reading;
    }

    [Fact(Timeout = 240_000)]
    public async Task After_two_floods_of_adds_and_deletes_an_empty_daemon_returns_near_its_starting_rss()
    {
        var port = LoopbackPorts.FreePort(1);
        var config = Path("one.conf");
        await File.WriteAllTextAsync(config, $"listen on 127.0.0.1 port {port}\npeer 127.0.0.2\ninterface carp0\nsharedkey {Key}\n");
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var daemon = DaemonProcess.Start("-d", "--platform", "sim", "--sim-carp", "master", "--control", Path("one.sock"), "-c", config);
        await Eventually.TrueAsync(async () => (await CliRun.RunAsync("status", "--control", Path("one.sock"))).ExitCode == 0, "daemon answers");
        var start = await ProcessStatusAsync();
        var startRss = start.GetProperty("rssBytes").GetInt64();
        Assert.True(startRss > 0);
        Assert.True(start.GetProperty("gcHeapBytes").GetInt64() > 0);

        var source = IPAddress.Parse("127.0.0.1");
        var destination = IPAddress.Parse("198.51.100.7");
        var peak = 0L;
        for (var round = 0; round < 2; round++)
        {
            Assert.True(await InjectAllAsync(i => IkeDaemonMessages.AddEspSa(SimulationControlHandler.DefaultInjectPid, (uint)i, 0x1000u + (uint)i, source, destination)));
            peak = Math.Max(peak, (await ProcessStatusAsync()).GetProperty("rssBytes").GetInt64());
            Assert.True(await InjectAllAsync(i => IkeDaemonMessages.DeleteSa(SimulationControlHandler.DefaultInjectPid, (uint)i, 0x1000u + (uint)i, source, destination)));
        }

        var dump = await CliRun.RunAsync("sim", "dump", "--control", Path("one.sock"), "--json");
        Assert.Equal(0, JsonDocument.Parse(dump.Stdout).RootElement.GetProperty("sas").GetArrayLength());
        // The flood did grow the process; the point is that it gives the memory back once idle.
        Assert.True(peak > startRss, $"peak {peak >> 20} MB, start {startRss >> 20} MB");
        // Polled slowly: a status request allocates too, and a poll every few milliseconds is not an idle daemon.
        var rss = long.MaxValue;
        for (var poll = 0; poll < 60 && rss - startRss >= Margin; poll++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            rss = (await ProcessStatusAsync()).GetProperty("rssBytes").GetInt64();
        }

        Assert.True(rss - startRss < Margin, $"RSS {rss >> 20} MB, not within {Margin >> 20} MB of the {startRss >> 20} MB it started with (peak {peak >> 20} MB)");
    }
}
