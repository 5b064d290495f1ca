using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sasync.Core;
using Sasync.Core.Control;
using Sasync.Core.Hosting;
using Sasync.Core.Simulation;
using Microsoft.Extensions.Time.Testing;
using Sasync.Tests.Support;

namespace Sasync.Tests.Hosting;

/// <summary><c>services.AddSasyncd(…)</c> in a Generic Host: start, status, reload, control socket, stop.</summary>
public sealed class SyncNodeServiceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sasync-hosting-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private string WriteConfig(string text)
    {
        var path = PathOf("sasyncd.conf");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task A_node_runs_the_given_settings_in_the_host_and_answers_status_on_its_control_socket()
    {
        var control = PathOf("ctl.sock");
        using var host = EmbeddedHost.Build(node =>
        {
            node.Settings = EmbeddedHost.Settings($"interface carp0\npeer 127.0.0.2\nsharedkey {EmbeddedHost.Key}\n");
            node.ControlSocketPath = control;
        });
        await host.StartAsync();
        var node = host.Node();
        Assert.Single(node.ListenEndPoints);
        Assert.Equal(IPAddress.Loopback, node.ListenEndPoints[0].Address);
        Assert.NotEqual(0, node.ListenEndPoints[0].Port);
        await Eventually.TrueAsync(async () => (await node.GetStatusAsync(default)).Engine.RunState == RunState.Master, "the node follows carp to MASTER");

        using var reply = await ControlClient.RequestAsync(control, "status", null, TimeSpan.FromSeconds(10), default);
        var status = reply.RootElement.GetProperty("result");
        Assert.Equal("MASTER", status.GetProperty("runState").GetString());
        Assert.Equal("127.0.0.2", status.GetProperty("peers")[0].GetProperty("name").GetString());

        await host.StopAsync();
        Assert.Null(node.Node);
        Assert.False(File.Exists(control));
        await Assert.ThrowsAsync<InvalidOperationException>(() => node.GetStatusAsync(default));
    }

    [Fact]
    public async Task Reload_applies_new_peers_from_the_file_and_keeps_the_running_ones_when_it_has_errors()
    {
        var port = Core.Loopback.LoopbackPorts.FreePort(3);
        var path = WriteConfig($"listen on 127.0.0.1 port {port}\ninterface carp0\npeer 127.0.0.2\nsharedkey {EmbeddedHost.Key}\n");
        var log = new LogCapture();
        using var host = EmbeddedHost.Build(
            node =>
            {
                node.ConfigPath = path;
                node.ListenEndPoints = null;
            },
            log: log);
        await host.StartAsync();
        var node = host.Node();
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), Assert.Single(node.ListenEndPoints));

        // The new peer is dialled: a listener in its place sees the node connect.
        using var newPeer = new TcpListener(IPAddress.Parse("127.0.0.3"), port);
        newPeer.Start();
        WriteConfig($"listen on 127.0.0.1 port {port}\ninterface carp1\npeer 127.0.0.2\npeer 127.0.0.3\nsharedkey {EmbeddedHost.Key}\n");
        var applied = await node.ReloadAsync(default);
        Assert.True(applied.Applied);
        Assert.Equal(new[] { "interface" }, applied.NeedRestart);
        Assert.Equal(new[] { "127.0.0.2", "127.0.0.3" }, node.Settings!.Peers);
        Assert.Equal("carp0", node.Settings.CarpInterface);
        using (var timeout = new CancellationTokenSource(Eventually.Patience))
        {
            using var dialled = await newPeer.AcceptSocketAsync(timeout.Token);
            Assert.Equal(IPAddress.Loopback, ((IPEndPoint)dialled.RemoteEndPoint!).Address);
        }

        WriteConfig("interface carp0\nsharedkey tooshort\n");
        var refused = await node.ReloadAsync(default);
        Assert.False(refused.Applied);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Message.StartsWith($"{path}: not reloaded, keeping the running configuration: ", StringComparison.Ordinal));
        Assert.Contains(refused.Diagnostics, d => d.IsError && d.Message.Contains("16, 24 or 32 bytes", StringComparison.Ordinal));
        Assert.Equal(new[] { "127.0.0.2", "127.0.0.3" }, node.Settings!.Peers);
        Assert.Equal(RunState.Master, (await node.GetStatusAsync(default)).Engine.RunState);

        var given = await node.ReloadAsync(EmbeddedHost.Settings($"listen on 127.0.0.1 port {port}\ninterface carp0\nsharedkey {EmbeddedHost.Key}\n"), default);
        Assert.True(given.Applied);
        Assert.Empty(given.NeedRestart);
        Assert.Empty(node.Settings!.Peers);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_stopped_node_starts_again_in_the_same_host_with_a_new_meter()
    {
        using var host = EmbeddedHost.Build(node => node.Settings = EmbeddedHost.Settings($"interface carp0\nsharedkey {EmbeddedHost.Key}\n"));
        var node = host.Node();
        await host.StartAsync();
        var first = node.Metrics!.Meter;
        await node.StopAsync(default);
        Assert.Empty(MeterReadings.Collect(first).Instruments);

        await node.StartAsync(default);
        await Assert.ThrowsAsync<InvalidOperationException>(() => node.StartAsync(default));
        await Eventually.TrueAsync(async () => (await node.GetStatusAsync(default)).Engine.RunState == RunState.Master, "the restarted node is MASTER");
        Assert.NotSame(first, node.Metrics!.Meter);
        Assert.Equal(2, MeterReadings.Collect(node.Metrics.Meter).Value("sasync.run_state", "state", "MASTER"));
        await host.StopAsync();
    }

    [Fact]
    public async Task Stopping_gives_back_the_demotion_a_syncing_backup_holds()
    {
        // Booted demoted, a backup whose only peer never answers holds the group down: it has no snapshot
        // yet, and on a clock that stands still the grace for peers to report never ends.
        using var host = EmbeddedHost.Build(
            node => node.Settings = EmbeddedHost.Settings($"interface carp0\npeer 127.0.0.2\nsharedkey {EmbeddedHost.Key}\n"),
            CarpState.Backup,
            demoteCounter: 1,
            time: new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        await host.StartAsync();
        var simulated = host.Simulated();
        await Eventually.TrueAsync(async () => (await host.Node().GetStatusAsync(default)).Engine.Demotion.Held, "the backup holds the group demoted");
        await Eventually.TrueAsync(() => simulated.CarpGroup.DemoteCounter == 2, "the demote counter is raised by the node");

        await host.StopAsync();
        Assert.Equal(1, simulated.CarpGroup.DemoteCounter);
    }

    [Fact]
    public async Task A_bad_configuration_file_fails_the_start_with_every_error_and_leaves_nothing_running()
    {
        var path = WriteConfig("interface carp0\nlisten on\nsharedkey 0x123\n");
        var log = new LogCapture();
        using var host = EmbeddedHost.Build(
            node =>
            {
                node.ConfigPath = path;
                node.ControlSocketPath = PathOf("ctl.sock");
            },
            log: log);
        var failure = await Assert.ThrowsAsync<SyncNodeStartException>(() => host.StartAsync());
        Assert.Equal(2, failure.Diagnostics.Count(d => d.IsError));
        Assert.All(failure.Message.Split('\n'), line => Assert.StartsWith($"{path}:", line, StringComparison.Ordinal));
        Assert.Contains("odd number of digits", failure.Message, StringComparison.Ordinal);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Critical && e.Message.StartsWith("invalid configuration: ", StringComparison.Ordinal));
        Assert.Null(host.Node().Node);
        Assert.False(File.Exists(PathOf("ctl.sock")));
    }

    [Fact]
    public async Task Without_a_platform_or_a_configuration_the_start_says_what_is_missing()
    {
        using var noPlatform = EmbeddedHost.Build(node => node.Settings = EmbeddedHost.Settings($"interface carp0\nsharedkey {EmbeddedHost.Key}\n"), withPlatform: false);
        var failure = await Assert.ThrowsAsync<SyncNodeStartException>(() => noPlatform.StartAsync());
        Assert.Contains("UseSimulatedPlatform()", failure.Message, StringComparison.Ordinal);

        using var noConfig = EmbeddedHost.Build(_ => { });
        failure = await Assert.ThrowsAsync<SyncNodeStartException>(() => noConfig.StartAsync());
        Assert.Contains("ConfigPath or Settings", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_control_socket_that_cannot_be_opened_fails_the_start_and_frees_the_listen_port()
    {
        var port = Core.Loopback.LoopbackPorts.FreePort(1);
        var missingDirectory = PathOf("no/such/dir/ctl.sock");
        using var host = EmbeddedHost.Build(node =>
        {
            node.Settings = EmbeddedHost.Settings($"interface carp0\nsharedkey {EmbeddedHost.Key}\n");
            node.ListenEndPoints = [new IPEndPoint(IPAddress.Loopback, port)];
            node.ControlSocketPath = missingDirectory;
        });
        var failure = await Assert.ThrowsAsync<SyncNodeStartException>(() => host.StartAsync());
        Assert.StartsWith($"control socket {missingDirectory}: ", failure.Message, StringComparison.Ordinal);

        // The node was stopped: its port can be bound again.
        using var again = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        again.Bind(new IPEndPoint(IPAddress.Loopback, port));
    }
}
