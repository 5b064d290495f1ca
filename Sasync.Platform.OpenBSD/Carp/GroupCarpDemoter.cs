using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core.Platform;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Platform.OpenBSD.Structs;

namespace Sasync.Platform.OpenBSD.Carp;

/// <summary>
/// The carp demote counter of an interface group, read with SIOCGIFGATTR and changed by a delta
/// with SIOCSIFGATTR. It remembers how much it added per group: it never takes away more than it
/// added (so the counter other programs raised is left alone and ours never goes below zero), and
/// disposing gives back whatever it still holds.
/// </summary>
public sealed class GroupCarpDemoter : ICarpDemoter, IAsyncDisposable
{
    private readonly INativeCalls native;
    private readonly ILogger logger;
    private readonly Dictionary<string, int> held = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    // Internal: the system calls are the test seam; embedders use Create.
    internal GroupCarpDemoter(INativeCalls native, ILogger? logger = null)
    {
        this.native = native ?? throw new ArgumentNullException(nameof(native));
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The demoter of this OpenBSD host.</summary>
    public static GroupCarpDemoter Create(ILogger? logger = null)
    {
        HostOs.RequireOpenBsd("carp group demotion");
        return new GroupCarpDemoter(LibcNative.Instance, logger);
    }

    /// <summary>How much this demoter has added to <paramref name="group"/>'s counter and not yet taken back.</summary>
    public int HeldOn(string group)
    {
        lock (gate)
        {
            return held.GetValueOrDefault(group);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The group name does not fit an ifgroupreq.</exception>
    /// <exception cref="SystemCallException">SIOCGIFGATTR failed (e.g. no such group).</exception>
    public ValueTask<int> ReadAsync(string group, CancellationToken cancellationToken)
    {
        var request = Request(group, 0);
        GroupIoctl(IoctlRequest.GetGroupAttributes, "SIOCGIFGATTR", group, request);
        return ValueTask.FromResult(InterfaceGroupRequest.ReadCarpDemoted(request));
    }

    /// <inheritdoc />
    /// <remarks>A delta that would take back more than this demoter added is refused with a warning and changes nothing.</remarks>
    /// <exception cref="ArgumentException">The group name does not fit an ifgroupreq.</exception>
    /// <exception cref="SystemCallException">SIOCSIFGATTR failed.</exception>
    public ValueTask AdjustAsync(string group, int delta, CancellationToken cancellationToken)
    {
        if (delta == 0)
        {
            return ValueTask.CompletedTask;
        }

        lock (gate)
        {
            var mine = held.GetValueOrDefault(group);
            if (mine + delta < 0)
            {
                logger.LogWarning("carp group {Group}: not undoing {Delta}, only {Held} was added by us", group, -delta, mine);
                return ValueTask.CompletedTask;
            }

            GroupIoctl(IoctlRequest.SetGroupAttributes, "SIOCSIFGATTR", group, Request(group, delta));
            held[group] = mine + delta;
            logger.LogInformation("carp group {Group} demote counter {Change} by {Delta}", group, delta > 0 ? "raised" : "lowered", Math.Abs(delta));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// At start: adds one to the counter only if the group is already demoted (the boot sequence
    /// demoted carp; we hold it until our SAs are in sync). True when it did.
    /// </summary>
    public async ValueTask<bool> HoldIfDemotedAsync(string group, CancellationToken cancellationToken)
    {
        if (await ReadAsync(group, cancellationToken).ConfigureAwait(false) <= 0)
        {
            return false;
        }

        await AdjustAsync(group, 1, cancellationToken).ConfigureAwait(false);
        return HeldOn(group) > 0;
    }

    /// <summary>Gives back everything still held, so a stopped daemon never leaves carp demoted.</summary>
    public async ValueTask DisposeAsync()
    {
        KeyValuePair<string, int>[] remaining;
        lock (gate)
        {
            remaining = [.. held.Where(entry => entry.Value > 0)];
        }

        foreach (var (group, count) in remaining)
        {
            try
            {
                await AdjustAsync(group, -count, CancellationToken.None).ConfigureAwait(false);
            }
            catch (SystemCallException e)
            {
                logger.LogError("carp group {Group}: cannot undo our demotion: {Error}", group, e.Message);
            }
        }
    }

    private static byte[] Request(string group, int demoted)
    {
        var request = new byte[InterfaceGroupRequest.Size];
        if (!InterfaceGroupRequest.TryWrite(request, group, demoted, out var error))
        {
            throw new ArgumentException($"carp group: {error}", nameof(group));
        }

        return request;
    }

    private void GroupIoctl(ulong request, string name, string group, byte[] argument) =>
        InterfaceIoctl.Run(native, name, $"carp group {group}", fd => native.Ioctl(fd, request, argument));
}
