using Sasync.Core.Control;

namespace Sasync.Core.Hosting;

/// <summary>
/// An opened platform: the <see cref="NodePlatform"/> a <see cref="SyncNode"/> runs on, what to close
/// when the node has stopped, and the control commands the platform adds (the simulated one's <c>sim.*</c>).
/// </summary>
/// <param name="platform">The kernel, carp and daemon controls for the node.</param>
/// <param name="resources">Closed in order, after the node has stopped.</param>
/// <param name="control">Control commands beyond <c>status</c>, or null.</param>
public sealed class NodePlatformSession(NodePlatform platform, IReadOnlyList<IAsyncDisposable> resources, IControlHandler? control = null) : IAsyncDisposable
{
    /// <summary>The kernel, carp and daemon controls for the node.</summary>
    public NodePlatform Platform { get; } = platform;

    /// <summary>Control commands beyond <c>status</c> that this platform answers, or null.</summary>
    public IControlHandler? Control { get; } = control;

    /// <summary>Closes the platform's resources (the PF_KEY socket, the demotion socket, …).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var resource in resources)
        {
            await resource.DisposeAsync().ConfigureAwait(false);
        }
    }
}
