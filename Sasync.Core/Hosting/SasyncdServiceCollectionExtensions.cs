using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Sasync.Core.Hosting;

/// <summary>Registers a sasyncd node in a .NET host (<c>Microsoft.Extensions.Hosting</c>).</summary>
public static class SasyncdServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SyncNodeService"/> (as itself and as an <see cref="IHostedService"/>) with the options
    /// <paramref name="configure"/> sets. One node per service provider. Choose its platform on the result:
    /// <see cref="UseSimulatedPlatform"/> here, <c>UseOpenBsdPlatform()</c> in Sasync.Platform.OpenBSD.
    /// </summary>
    public static ISasyncdBuilder AddSasyncd(this IServiceCollection services, Action<SyncNodeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SyncNodeOptions>().Configure(configure);
        services.TryAddSingleton(provider => new SyncNodeService(
            provider.GetRequiredService<IOptions<SyncNodeOptions>>(),
            provider.GetService<INodePlatformProvider>(),
            provider.GetService<ILoggerFactory>(),
            provider.GetService<TimeProvider>()));
        services.AddHostedService(provider => provider.GetRequiredService<SyncNodeService>());
        return new Builder(services);
    }

    /// <summary>Runs the node on <paramref name="platform"/>, replacing any platform chosen before.</summary>
    public static ISasyncdBuilder UsePlatform(this ISasyncdBuilder builder, INodePlatformProvider platform)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(platform);
        builder.Services.Replace(ServiceDescriptor.Singleton(platform));
        return builder;
    }

    /// <summary>
    /// Runs the node on a simulated kernel, carp and IKE daemon (any OS). The <see cref="SimulatedPlatformProvider"/>
    /// is registered too, to reach the simulated host once the node runs.
    /// </summary>
    public static ISasyncdBuilder UseSimulatedPlatform(this ISasyncdBuilder builder, SimulatedPlatformOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var platform = new SimulatedPlatformProvider(options);
        builder.Services.Replace(ServiceDescriptor.Singleton(platform));
        return builder.UsePlatform(platform);
    }

    private sealed record Builder(IServiceCollection Services) : ISasyncdBuilder;
}
