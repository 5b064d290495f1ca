using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sasync.Cli.Commands;
using Sasync.Cli.Daemon;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Simulation;
using Sasync.Platform.OpenBSD.Hosting;

namespace Sasync.Tests.Cli;

/// <summary>The daemon's Generic Host is built with the embedding API, from the daemon's flags.</summary>
public sealed class DaemonHostTests
{
    private static readonly SyncSettings Settings = ConfigParser.Parse("interface carp0\nsharedkey 0x00112233445566778899aabbccddeeff\n").Settings!;

    [Fact]
    public void The_sim_platform_flags_become_a_simulated_node_with_the_control_socket_and_sighup_caught_before_the_node_starts()
    {
        var options = new DaemonOptions
        {
            Platform = DaemonPlatform.Simulated,
            ConfigPath = "/tmp/one.conf",
            ControlPath = "/tmp/one.sock",
            SimulatedCarp = CarpState.Master,
        };
        using var host = DaemonRunner.Build(options, Settings);

        var node = host.Services.GetRequiredService<IOptions<SyncNodeOptions>>().Value;
        Assert.Equal("/tmp/one.conf", node.ConfigPath);
        Assert.Same(Settings, node.Settings);
        Assert.Equal("/tmp/one.sock", node.ControlSocketPath);
        // The simulated platform applies the file rule of -n too.
        Assert.Equal(ConfigFileCheck.Daemon, node.ConfigFileCheck);
        Assert.IsType<SimulatedPlatformProvider>(host.Services.GetRequiredService<INodePlatformProvider>());

        // Hosts start services in order and stop them in reverse: the SIGHUP handler is in place before
        // the node answers on its control socket, and until it has stopped.
        var services = host.Services.GetServices<IHostedService>().ToList();
        Assert.IsType<ReloadOnHangupService>(services[0]);
        Assert.IsType<IdleMemoryTrimService>(services[1]);
        Assert.Same(host.Services.GetRequiredService<SyncNodeService>(), services[2]);
    }

    [Fact]
    public void The_openbsd_platform_applies_the_original_file_rule()
    {
        using var host = DaemonRunner.Build(new DaemonOptions { ConfigPath = "/etc/sasyncd.conf" }, Settings);
        Assert.Equal(ConfigFileCheck.Daemon, host.Services.GetRequiredService<IOptions<SyncNodeOptions>>().Value.ConfigFileCheck);
        Assert.IsType<OpenBsdPlatformProvider>(host.Services.GetRequiredService<INodePlatformProvider>());
    }
}
