using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Simulation;
using Sasync.Tests.Support;

namespace Sasync.Tests.Hosting;

/// <summary>A Generic Host with one node on the simulated platform, listening on 127.0.0.1 at a free port, as an embedding program builds it.</summary>
internal static class EmbeddedHost
{
    public const string Key = "0x00112233445566778899aabbccddeeff";

    public static SyncSettings Settings(string text) =>
        ConfigParser.Parse(text).Settings ?? throw new ArgumentException($"not a valid configuration: {text}", nameof(text));

    public static IHost Build(Action<SyncNodeOptions> configure, CarpState carp = CarpState.Master, bool withPlatform = true,
        int demoteCounter = 0, TimeProvider? time = null, LogCapture? log = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (log is not null)
        {
            builder.Logging.AddProvider(log);
        }

        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        var node = builder.Services.AddSasyncd(options =>
        {
            options.ListenEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)];
            configure(options);
        });
        if (withPlatform)
        {
            node.UseSimulatedPlatform(new SimulatedPlatformOptions { InitialCarp = carp, InitialDemoteCounter = demoteCounter });
        }

        return builder.Build();
    }

    public static SyncNodeService Node(this IHost host) => host.Services.GetRequiredService<SyncNodeService>();

    public static SimulatedNode Simulated(this IHost host) =>
        host.Services.GetRequiredService<SimulatedPlatformProvider>().Host ?? throw new InvalidOperationException("the platform is not open");
}
