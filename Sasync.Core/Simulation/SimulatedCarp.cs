using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Sasync.Core.Platform;

namespace Sasync.Core.Simulation;

/// <summary>
/// A switch standing in for one carp interface: set its state, and every watcher gets the new link
/// state (like an RTM_IFINFO on the routing socket), after the state it started watching in. A new carp interface starts INVALID (all vhosts
/// INIT), as on OpenBSD.
/// </summary>
/// <remarks>
/// Thread-safe. Each watcher has its own unbounded queue: changes come only from whoever drives the
/// switch, one per call, so the queue grows only if a watcher stops reading while the switch keeps
/// being flipped.
/// </remarks>
public sealed class SimulatedCarp : ICarpStateSource
{
    private readonly Lock _lock = new();
    private readonly List<Channel<LinkState>> _watchers = [];
    private LinkState _state;

    /// <summary>A carp interface named <paramref name="interfaceName"/>, starting in <paramref name="initial"/> (INVALID: all vhosts INIT).</summary>
    public SimulatedCarp(string interfaceName = "carp0", LinkState initial = LinkState.Invalid)
    {
        InterfaceName = interfaceName;
        _state = initial;
    }

    /// <summary>The only interface name <see cref="ReadAsync"/> and <see cref="WatchAsync"/> accept; others fail with ENXIO.</summary>
    public string InterfaceName { get; }

    /// <summary>The current link state.</summary>
    public LinkState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>How many watchers are listening now.</summary>
    public int WatcherCount
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>carp_set_state: MASTER is UP, BACKUP is DOWN, INIT is INVALID.</summary>
    public static LinkState ToLinkState(CarpState state) => state switch
    {
        CarpState.Master => LinkState.Up,
        CarpState.Backup => LinkState.Down,
        _ => LinkState.Invalid,
    };

    /// <summary>Sets the carp state (see <see cref="ToLinkState"/>).</summary>
    public void Set(CarpState state) => Set(ToLinkState(state));

    /// <summary>Sets the link state; watchers hear of it only when it changes, as the kernel reports only changes.</summary>
    public void Set(LinkState state)
    {
        lock (_lock)
        {
            if (state == _state)
            {
                return;
            }

            _state = state;
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(state);
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<LinkState> ReadAsync(string interfaceName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CheckName(interfaceName);
        return ValueTask.FromResult(State);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<LinkState> WatchAsync(string interfaceName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        CheckName(interfaceName);
        var channel = Channel.CreateUnbounded<LinkState>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            // The current state first, under the same lock as the registration: no change is lost in between.
            channel.Writer.TryWrite(_state);
            _watchers.Add(channel);
        }

        try
        {
            await foreach (var state in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return state;
            }
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(channel);
            }
        }
    }

    private void CheckName(string interfaceName)
    {
        if (!string.Equals(interfaceName, InterfaceName, StringComparison.Ordinal))
        {
            throw new SimulatedSystemCallException(OpenBsdErrno.ENXIO, $"no such interface {interfaceName} (the simulated carp interface is {InterfaceName})");
        }
    }
}
