using Microsoft.Extensions.DependencyInjection;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Platform.OpenBSD.Files;

namespace Sasync.Platform.OpenBSD.Hosting;

/// <summary>Chooses the OpenBSD platform for a node registered with <c>AddSasyncd</c>.</summary>
public static class OpenBsdSasyncdBuilderExtensions
{
    /// <summary>
    /// Runs the node on the OpenBSD kernel (<see cref="OpenBsdPlatformProvider"/>) and, unless the options say
    /// otherwise, applies the original's rule to the configuration file: a regular file owned by root or
    /// <c>_isakmpd</c>, without group or other permission bits.
    /// </summary>
    public static ISasyncdBuilder UseOpenBsdPlatform(this ISasyncdBuilder builder, OpenBsdPlatformOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.PostConfigure<SyncNodeOptions>(node =>
        {
            node.ConfigFileCheck ??= ConfigFileCheck.Daemon;
            node.ConfigFileInspector ??= new OpenBsdConfigFileInspector();
        });
        return builder.UsePlatform(new OpenBsdPlatformProvider(options));
    }
}
