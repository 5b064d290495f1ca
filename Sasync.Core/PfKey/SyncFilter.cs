using System.Net;
using Sasync.Core.Config;

namespace Sasync.Core.PfKey;

/// <summary>Why a PF_KEY message was or was not synced; the engine counts and logs by reason.</summary>
public enum FilterReason
{
    /// <summary>The message is synced.</summary>
    Synced,

    /// <summary>We are not MASTER, so nothing is relayed.</summary>
    NotMaster,

    /// <summary>Written by ourselves (a message we wrote for the MASTER, or our own requests).</summary>
    OwnMessage,

    /// <summary>X_PROMISC, DUMP, GET, GETSPI, ACQUIRE, X_ASKPOLICY or REGISTER: never synced.</summary>
    NeverSyncedType,

    /// <summary>An ADD without an encryption key: a larval SA.</summary>
    LarvalAdd,

    /// <summary>A FLUSH under <c>flushmode never</c>.</summary>
    FlushNever,

    /// <summary><c>mode skipslave</c>: the source or destination is a connected peer.</summary>
    PeerAddress,
}

/// <summary>The filter's answer: whether to sync, and why.</summary>
internal readonly record struct SyncDecision(FilterReason Reason)
{
    public bool Sync => Reason == FilterReason.Synced;

    public static SyncDecision Synced => new(FilterReason.Synced);
}

/// <summary>What the filter needs to know about us and the cluster.</summary>
/// <param name="Pid">Our PF_KEY pid.</param>
/// <param name="FlushMode">The configured <c>flushmode</c>.</param>
/// <param name="SkipSlave">Whether <c>mode skipslave</c> is set.</param>
/// <param name="PeerAddresses">The addresses of the currently connected peers.</param>
internal sealed record SyncFilterContext(uint Pid, FlushMode FlushMode, bool SkipSlave, IReadOnlyCollection<IPAddress> PeerAddresses);

/// <summary>The sync filter of DESIGN.md §3 (sasyncd's <c>pfkey_msg_filter</c> plus the own-pid check).</summary>
internal static class SyncFilter
{
    /// <summary>Decides whether a promiscuous copy seen by the MASTER goes to the peers.</summary>
    public static SyncDecision Decide(PromiscuousCopy copy, SyncFilterContext context)
    {
        if (copy.Inner.Header.Pid == context.Pid || (copy.WriterPid != 0 && copy.WriterPid == context.Pid))
        {
            return new SyncDecision(FilterReason.OwnMessage);
        }

        return Decide(copy.Inner, context);
    }

    /// <summary>
    /// Decides whether a message is synced: a relayed one, or a snapshot record judged as the type
    /// <paramref name="asType"/> it will be sent as (re-typing drops no extension the filter reads).
    /// </summary>
    public static SyncDecision Decide<TMessage>(TMessage message, SyncFilterContext context, SadbMessageType? asType = null)
        where TMessage : IPfKeyExtensionLookup
    {
        // Not ThrowIfNull: that would box a view.
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }

        ArgumentNullException.ThrowIfNull(context);
        switch (asType ?? message.Header.Type)
        {
            case SadbMessageType.XPromisc or SadbMessageType.Dump or SadbMessageType.Get
                or SadbMessageType.GetSpi or SadbMessageType.Acquire or SadbMessageType.XAskPolicy
                or SadbMessageType.Register:
                return new SyncDecision(FilterReason.NeverSyncedType);
            case SadbMessageType.Add when !message.TryGet(SadbExtensionType.KeyEncrypt, out _):
                return new SyncDecision(FilterReason.LarvalAdd);
            case SadbMessageType.Flush when context.FlushMode == FlushMode.Never:
                return new SyncDecision(FilterReason.FlushNever);
        }

        // The original checks peers only for some types and compares 4 bytes of IPv6
        // addresses; we check every synced message against whole addresses.
        if (context.SkipSlave && context.PeerAddresses.Count > 0
            && (IsPeerAddress(message, SadbExtensionType.AddressSrc, context.PeerAddresses)
                || IsPeerAddress(message, SadbExtensionType.AddressDst, context.PeerAddresses)))
        {
            return new SyncDecision(FilterReason.PeerAddress);
        }

        return SyncDecision.Synced;
    }

    private static bool IsPeerAddress<TMessage>(TMessage message, SadbExtensionType type, IReadOnlyCollection<IPAddress> peers)
        where TMessage : IPfKeyExtensionLookup
    {
        if (!message.TryGet(type, out var extension) || !SockAddr.TryReadFromExtension(extension, out var address, out _))
        {
            return false;
        }

        foreach (var peer in peers)
        {
            if (SameAddress(address, peer))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Compares addresses by family and bytes, ignoring IPv6 scope ids and IPv4-mapped forms.</summary>
    public static bool SameAddress(IPAddress a, IPAddress b)
    {
        if (a.IsIPv4MappedToIPv6)
        {
            a = a.MapToIPv4();
        }

        if (b.IsIPv4MappedToIPv6)
        {
            b = b.MapToIPv4();
        }

        if (a.AddressFamily != b.AddressFamily)
        {
            return false;
        }

        Span<byte> left = stackalloc byte[16];
        Span<byte> right = stackalloc byte[16];
        return a.TryWriteBytes(left, out var leftLength) && b.TryWriteBytes(right, out var rightLength)
            && left[..leftLength].SequenceEqual(right[..rightLength]);
    }
}
