using Microsoft.Extensions.DependencyInjection;

namespace Sasync.Core.Hosting;

/// <summary>What <c>AddSasyncd</c> returns: the service collection, to choose a platform with <c>Use…Platform()</c>.</summary>
public interface ISasyncdBuilder
{
    /// <summary>The services the node is registered in.</summary>
    IServiceCollection Services { get; }
}
