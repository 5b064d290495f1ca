namespace Sasync.Core.Platform;

/// <summary>Where the carp interface's link state comes from (routing socket on OpenBSD, a switch in simulation).</summary>
public interface ICarpStateSource
{
    /// <summary>Reads the current link state of the named carp interface (for a one-off look; a node starts from <see cref="WatchAsync"/>).</summary>
    ValueTask<LinkState> ReadAsync(string interfaceName, CancellationToken cancellationToken);

    /// <summary>
    /// Yields the named interface's current link state, then every change until cancelled. The
    /// current state is read only once the watch is in place (on OpenBSD: the routing socket open and
    /// filtered), so that a change in between is not lost; the first state of a node comes from here.
    /// </summary>
    IAsyncEnumerable<LinkState> WatchAsync(string interfaceName, CancellationToken cancellationToken);
}
