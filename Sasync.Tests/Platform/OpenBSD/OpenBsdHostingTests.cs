using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Platform.OpenBSD.Files;
using Sasync.Platform.OpenBSD.Hosting;
using Sasync.Tests.Hosting;

namespace Sasync.Tests.Platform.OpenBSD;

/// <summary><c>AddSasyncd(…).UseOpenBsdPlatform()</c>: the original's file rule by default, and a clear refusal off OpenBSD.</summary>
public sealed class OpenBsdHostingTests
{
    private static IHost Build(Action<SyncNodeOptions> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSasyncd(configure).UseOpenBsdPlatform(new OpenBsdPlatformOptions { IsakmpdFifo = "/nonexistent/isakmpd.fifo" });
        return builder.Build();
    }

    [Fact]
    public void The_openbsd_platform_applies_the_original_file_rule_unless_told_otherwise()
    {
        using var strict = Build(node => node.ConfigPath = "/etc/sasyncd.conf");
        var options = strict.Services.GetRequiredService<IOptions<SyncNodeOptions>>().Value;
        Assert.Equal(ConfigFileCheck.Daemon, options.ConfigFileCheck);
        Assert.IsType<OpenBsdConfigFileInspector>(options.ConfigFileInspector);
        Assert.IsType<OpenBsdPlatformProvider>(strict.Services.GetRequiredService<INodePlatformProvider>());

        using var relaxed = Build(node => node.ConfigFileCheck = ConfigFileCheck.Repository);
        Assert.Equal(ConfigFileCheck.Repository, relaxed.Services.GetRequiredService<IOptions<SyncNodeOptions>>().Value.ConfigFileCheck);
    }

    [LinuxFact]
    public async Task Off_openbsd_the_start_fails_pointing_at_the_simulated_platform()
    {
        using var host = Build(node =>
        {
            node.Settings = EmbeddedHost.Settings($"interface carp0\nsharedkey {EmbeddedHost.Key}\n");
            node.ListenEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)];
        });
        var failure = await Assert.ThrowsAsync<SyncNodeStartException>(() => host.StartAsync());
        Assert.Contains("needs an OpenBSD kernel", failure.Message, StringComparison.Ordinal);
        Assert.Contains("--platform sim", failure.Message, StringComparison.Ordinal);
        Assert.Null(host.Services.GetRequiredService<SyncNodeService>().Node);
    }
}
