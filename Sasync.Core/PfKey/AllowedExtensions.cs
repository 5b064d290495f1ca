using System.Collections.Frozen;

namespace Sasync.Core.PfKey;

/// <summary>
/// The extensions an ADD or X_ADDFLOW written to the kernel may carry and still succeed. The kernel
/// checks a message twice (pfkeyv2_parsemessage.c 1.64, pfkeyv2.c 1.272): on the way in against
/// <c>sadb_exts_allowed_in[]</c> (EINVAL), and after executing it, with the keys removed, against
/// <c>sadb_exts_allowed_out[]</c> (EPERM, and no reply although the SA was installed). A dump record
/// carries X_REPLAY and X_COUNTER (and may carry LIFETIME_LASTUSE), which pass the first check
/// but fail the second, so they are dropped along with what an ADD may not carry at all.
/// </summary>
internal static class AllowedExtensions
{
    /// <summary>SADB_ADD: no ADDRESS_PROXY, X_SA2, X_DST2, X_SATYPE2, X_MTU, X_LIFETIME_LASTUSE, X_COUNTER or X_REPLAY.</summary>
    public static FrozenSet<SadbExtensionType> InAdd { get; } = Surviving(SadbMessageType.Add);

    /// <summary>SADB_X_ADDFLOW: addresses, identities, the flow set and the routing domain.</summary>
    public static FrozenSet<SadbExtensionType> InAddFlow { get; } = Surviving(SadbMessageType.XAddFlow);

    // The two sets as bits by type (all types fit in 64), for the per-extension test of every snapshot record.
    private static readonly ulong InAddBits = Bits(InAdd);
    private static readonly ulong InAddFlowBits = Bits(InAddFlow);

    /// <summary>
    /// Whether <paramref name="allowed"/> holds <paramref name="type"/>: a bit test for <see cref="InAdd"/> and
    /// <see cref="InAddFlow"/> (a set lookup per extension showed in snapshot profiles), the set's own lookup otherwise.
    /// </summary>
    public static bool Allows(this FrozenSet<SadbExtensionType> allowed, SadbExtensionType type)
    {
        ulong bits;
        if (ReferenceEquals(allowed, InAdd))
        {
            bits = InAddBits;
        }
        else if (ReferenceEquals(allowed, InAddFlow))
        {
            bits = InAddFlowBits;
        }
        else
        {
            return allowed.Contains(type);
        }

        return (ushort)type < 64 && (bits & (1UL << (int)type)) != 0;
    }

    private static ulong Bits(FrozenSet<SadbExtensionType> set)
    {
        var bits = 0UL;
        foreach (var type in set)
        {
            if ((ushort)type >= 64)
            {
                throw new InvalidOperationException($"extension type {type} does not fit the 64-bit set");
            }

            bits |= 1UL << (int)type;
        }

        return bits;
    }

    private static FrozenSet<SadbExtensionType> Surviving(SadbMessageType type) =>
        Enumerable.Range(1, (int)SadbExtensionTypes.Max)
            .Select(n => (SadbExtensionType)n)
            .Where(extension => KernelExtensionRules.SurvivesBothChecks(type, extension))
            .ToFrozenSet();
}
