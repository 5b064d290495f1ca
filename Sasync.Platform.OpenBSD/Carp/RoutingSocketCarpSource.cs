using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core.Platform;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Platform.OpenBSD.Structs;

namespace Sasync.Platform.OpenBSD.Carp;

/// <summary>
/// The carp interface's link state, followed through RTM_IFINFO messages on a routing socket
/// filtered (ROUTE_MSGFILTER) to that message type. The watch opens and filters the socket first
/// and only then reads the state with SIOCGIFDATA, so a change in between is not lost; on
/// RTM_DESYNC (the socket overflowed, changes may be lost) it reads the state again. Messages for
/// other interfaces, other versions or types are ignored; the interface index is looked up per
/// message, so a carp interface destroyed and created again is still followed.
/// </summary>
public sealed class RoutingSocketCarpSource : ICarpStateSource
{
    private readonly INativeCalls native;
    private readonly ILogger logger;

    // Internal: the system calls are the test seam; embedders use Create.
    internal RoutingSocketCarpSource(INativeCalls native, ILogger? logger = null)
    {
        this.native = native ?? throw new ArgumentNullException(nameof(native));
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The carp source of this OpenBSD host.</summary>
    public static RoutingSocketCarpSource Create(ILogger? logger = null)
    {
        HostOs.RequireOpenBsd("the carp state source (routing socket)");
        return new RoutingSocketCarpSource(LibcNative.Instance, logger);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The name does not fit an ifreq.</exception>
    /// <exception cref="SystemCallException">SIOCGIFDATA failed (e.g. no such interface).</exception>
    public ValueTask<LinkState> ReadAsync(string interfaceName, CancellationToken cancellationToken)
    {
        var request = new byte[InterfaceRequest.Size];
        if (!InterfaceRequest.TryWrite(request, interfaceName, out var error))
        {
            throw new ArgumentException($"carp interface: {error}", nameof(interfaceName));
        }

        var data = new byte[InterfaceData.Size];
        InterfaceIoctl.Run(native, "SIOCGIFDATA", $"cannot read the state of {interfaceName}", fd =>
            native.IoctlWithBuffer(fd, IoctlRequest.GetInterfaceData, request, InterfaceRequest.DataPointerOffset, data));
        InterfaceData.TryReadLinkState(data, out var state);
        return ValueTask.FromResult(state);
    }

    /// <inheritdoc />
    /// <exception cref="SystemCallException">The routing socket cannot be opened or filtered.</exception>
    public async IAsyncEnumerable<LinkState> WatchAsync(string interfaceName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        var socket = native.Socket(OpenBsdSocket.AfRoute, OpenBsdSocket.SockRaw | OpenBsdSocket.SockNonBlock | OpenBsdSocket.SockCloExec, 0);
        if (socket.IsError)
        {
            throw new SystemCallException("socket(AF_ROUTE)", socket.Errno, "cannot follow the carp interface");
        }

        var fd = (int)socket.Value;
        try
        {
            var filter = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(filter, RouteMessage.WatchFilter);
            var filtered = native.SetSocketOption(fd, OpenBsdSocket.RouteOptionLevel, OpenBsdSocket.RouteMessageFilter, filter);
            if (filtered.IsError)
            {
                // Not fatal: unfiltered messages are ignored below, only more of them arrive.
                logger.LogWarning("routing socket: ROUTE_MSGFILTER: {Error}", SystemCallException.Describe(filtered.Errno));
            }

            var descriptor = new PolledDescriptor(native, fd);
            var buffer = new byte[RouteMessage.MaxSize];
            LinkState? last = await ReadAsync(interfaceName, cancellationToken).ConfigureAwait(false);
            yield return last.Value;
            while (true)
            {
                SysResult read;
                try
                {
                    read = await Task.Run(() => descriptor.Read(buffer, 0, cancellationToken), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }

                if (read.IsError)
                {
                    throw new SystemCallException("read(routing socket)", read.Errno, "cannot follow the carp interface");
                }

                if (read.Value == 0)
                {
                    yield break;
                }

                var message = buffer.AsSpan(0, (int)read.Value);
                LinkState state;
                if (RouteMessage.IsDesync(message))
                {
                    logger.LogWarning("routing socket: messages were lost (RTM_DESYNC); reading the state of {Interface} again", interfaceName);
                    try
                    {
                        state = await ReadAsync(interfaceName, cancellationToken).ConfigureAwait(false);
                    }
                    catch (SystemCallException e)
                    {
                        // Keep watching: the next RTM_IFINFO still tells the state.
                        logger.LogWarning("cannot read the state of {Interface} again: {Error}", interfaceName, e.Message);
                        continue;
                    }
                }
                else if (!TryGetStateOf(interfaceName, message, out state))
                {
                    continue;
                }

                if (state != last)
                {
                    last = state;
                    logger.LogDebug("{Interface} link state is now {State}", interfaceName, state);
                    yield return state;
                }
            }
        }
        finally
        {
            native.Close(fd);
        }
    }

    /// <summary>True when <paramref name="message"/> is an RTM_IFINFO for <paramref name="interfaceName"/>.</summary>
    internal bool TryGetStateOf(string interfaceName, ReadOnlySpan<byte> message, out LinkState state)
    {
        if (!RouteMessage.TryReadInterfaceInfo(message, out var index, out state))
        {
            return false;
        }

        var wanted = native.InterfaceNameToIndex(interfaceName);
        if (wanted.IsError)
        {
            logger.LogWarning("carp interface {Interface} not found: {Error}", interfaceName, SystemCallException.Describe(wanted.Errno));
            return false;
        }

        return wanted.Value == index;
    }
}
