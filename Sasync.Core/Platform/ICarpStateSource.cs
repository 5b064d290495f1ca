namespace Sasync.Core.Platform;

/// <summary>Where the carp interface's link state comes from (routing socket on OpenBSD, a switch in simulation).</summary>
public interface ICarpStateSource
{
    /// <summary>Reads the current link state of the named carp interface.</summary>
    ValueTask<LinkState> ReadAsync(string interfaceName, CancellationToken cancellationToken);

    /// <summary>Yields every link-state change of the named interface until cancelled.</summary>
    IAsyncEnumerable<LinkState> WatchAsync(string interfaceName, CancellationToken cancellationToken);
}
