using System.Collections.Immutable;

namespace Sasync.Core.Simulation;

/// <summary>Settings of a <see cref="SimulatedKernel"/>.</summary>
public sealed record SimulatedKernelOptions
{
    /// <summary>
    /// How many undelivered messages each client may hold before the kernel drops new ones for that
    /// client (a full socket receive buffer; OpenBSD's sbappendaddr fails with ENOBUFS and the message
    /// is lost for that socket only). Counted in <see cref="SimulatedKeyClient.DroppedMessages"/>.
    /// </summary>
    public int ClientQueueCapacity { get; init; } = 4096;

    /// <summary>Supplies the SA creation times (LIFETIME_CURRENT addtime).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Seed for the SPIs GETSPI picks; null for a random seed.</summary>
    public int? RandomSeed { get; init; }

    /// <summary>
    /// The routing tables that exist (checked for an X_RDOMAIN extension). Clients may live in any
    /// routing domain; only messages in the same one reach them.
    /// </summary>
    public ImmutableHashSet<uint> RoutingTables { get; init; } = [0];

    /// <summary>
    /// OpenBSD reports EINVAL, EPERM, ENOMEM, ENOBUFS and EMSGSIZE as the write's error and every other
    /// refusal (EEXIST, ESRCH, EOPNOTSUPP, ...) only as a broadcast reply with <c>sadb_msg_errno</c>
    /// set, the write itself succeeding. True makes <see cref="SimulatedKeyClient.WriteAsync"/> also
    /// throw for those, after the reply went out.
    /// </summary>
    public bool ThrowOnReplyErrno { get; init; }
}
